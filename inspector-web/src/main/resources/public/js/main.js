// The page: loads the model card and a trace, keeps the selected token and layer, and redraws the views.
import { api, describeError } from './api.js';
import { $, el } from './dom.js';
import { expertColors } from './colors.js';
import { drawModelCard } from './modelCard.js';
import { withProgress } from './progress.js';
import { drawAttention, markAttentionToken } from './views/attention.js';
import { showToken } from './scrollSync.js';
import { bestLayer, drawEvidence, drawLearned } from './views/evidence.js';
import { drawCoActivation, drawEntropy, drawExpertTokens } from './views/analyses.js';
import { drawExpertLoad } from './views/expertLoad.js';
import { drawNorms } from './views/norms.js';
import { predictionList } from './views/predictions.js';
import { drawRouterHeatmap } from './views/routerHeatmap.js';
import { drawRoutingMap } from './views/routingMap.js';
import { drawTokenDetail } from './views/tokenDetail.js';
import { drawTokenStrip } from './views/tokenStrip.js';
import { initCompare } from './compare/index.js';
import { initLabels } from './labels.js';

const state = {
  model: null, summary: null, detail: null, attention: null,
  layer: 0, token: null, expert: 0, norm: null, format: null, help: {}, generatedFrom: Infinity, busy: false,
  evidence: null, evidenceView: { layer: 0, weights: 'trained' },
};

const ctx = {
  colors: null,
  get selectedLayer() { return state.layer; },
  get selectedToken() { return state.token; },
  onToken: (t, options) => selectToken(t, options),
  onLayer: l => selectLayer(l),
};
/** Compare, what-if and the near-tie threshold (js/compare/index.js); set once the model is known. */
let compare = null;
/** Trace labels and Figure 7 (js/labels.js); set once the model is known. */
let labels = null;

function say(message, kind = 'info') {
  const line = $('#message');
  line.textContent = message || '';
  line.className = `message ${kind}`;
  line.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

async function busy(label, task) {
  if (state.busy) return undefined;
  state.busy = true;
  document.body.classList.add('busy');
  document.querySelectorAll('.run-control').forEach(b => { b.disabled = true; });
  say('');
  try {
    return await withProgress(label, task());
  } catch (e) {
    say(describeError(e), 'error');
    return undefined;
  } finally {
    state.busy = false;
    document.body.classList.remove('busy');
    document.querySelectorAll('.run-control').forEach(b => { b.disabled = false; });
  }
}

/** One button per example prompt: a click puts its text in the prompt box and runs it. */
function drawExamples(examples) {
  $('#examples').replaceChildren(el('span', { class: 'muted', text: 'Examples:' }), ...examples.map(x =>
    el('button', { type: 'button', class: 'example run-control', 'data-language': x.language,
      title: x.text, text: x.label, onclick: () => {
        $('#prompt').value = x.text;
        runPrompt(x.text);
      } })));
}

async function loadEvidence() {
  try {
    state.evidence = await api.evidence();
  } catch (e) {
    say(`Cannot load what the model learned: ${describeError(e)}`, 'error');
    return;
  }
  state.evidenceView = { layer: bestLayer(state.evidence), weights: 'trained' };
  drawLearned($('#model-learned'), state.evidence);
  $('#evidence-section').hidden = false;
  redrawEvidence(state.evidenceView);
}

function redrawEvidence(view) {
  state.evidenceView = view;
  drawEvidence($('#evidence'), state.evidence, view, redrawEvidence, ctx.colors);
}

async function runPrompt(prompt) {
  if (!prompt.trim()) {
    say('Type a prompt first.', 'error');
    return;
  }
  const created = await busy('running the model', () => api.createFromPrompt(prompt));
  if (created) await showTrace(created.id, { generatedFrom: Infinity, created });
}

async function generate(n) {
  if (!state.summary) return;
  const ids = state.summary.tokens.map(t => t.id);
  const created = await busy(`generating ${n} token${n === 1 ? '' : 's'}`, () => api.createFromTokens(ids, n));
  if (created) await showTrace(created.id, { generatedFrom: created.tokens.length - created.generated, created });
}

async function appendToken(prediction) {
  if (!state.summary) return;
  const ids = [...state.summary.tokens.map(t => t.id), prediction.id];
  const created = await busy('running the model', () => api.createFromTokens(ids));
  if (created) await showTrace(created.id, { generatedFrom: ids.length - 1, created });
}

async function showTrace(id, { generatedFrom = Infinity, created = null, push = true } = {}) {
  let summary;
  try {
    summary = await api.summary(id);
  } catch (e) {
    say(`Cannot show trace ${id}: ${describeError(e)}`, 'error');
    return false;
  }
  state.summary = compare ? compare.reflag(summary) : summary;
  compare?.onTrace(id);
  state.generatedFrom = generatedFrom;
  state.layer = Math.min(state.layer, summary.layers - 1);
  state.token = summary.tokens.length - 1;
  if (created?.text !== undefined && !$('#prompt').value.trim()) $('#prompt').value = created.text;
  const shown = new URLSearchParams(location.search).get('trace');
  if (push && shown !== id) {
    // The first trace replaces the bare page in the history; later ones can be gone back to. Figure 7 stays.
    const q = new URLSearchParams({ trace: id });
    for (const [key, value] of new URLSearchParams(location.search)) {
      if (key.startsWith('figure7')) q.set(key, value);
    }
    history[shown ? 'pushState' : 'replaceState']({ trace: id }, '', `/?${q}`);
  }
  const T = summary.tokens.length;
  say(created?.reused ? `Trace ${id}: ${T} tokens (already recorded, reused).` : `Trace ${id}: ${T} tokens.`);
  drawTrace();
  await selectToken(state.token);
  if (state.attention) await showAttention();
  await labels?.onTrace(id);
  return true;
}

function drawTrace() {
  const s = state.summary;
  if (!s) return;
  $('#trace-bar').hidden = false;
  document.body.dataset.trace = s.id;
  $('#trace-id').textContent = s.id;
  $('#share-link').href = `/?trace=${encodeURIComponent(s.id)}`;
  $('#download-link').href = api.downloadUrl(s.id);
  $('#download-link').setAttribute('download', `trace-${s.id}.safetensors`);
  $('#token-count').textContent = `${s.tokens.length} tokens × ${s.layers} layers × ${s.experts} experts, top-${s.k}`;
  $('#next').replaceChildren(predictionList(s.next, appendToken));
  drawRoutingMap($('#routing-map'), s, ctx);
  drawLayerViews();
  drawNorms($('#norms'), s, state.norm, state.help[state.norm], ctx);
  drawEntropy($('#entropy'), s, ctx);
  markSelection();
}

function drawLayerViews() {
  const s = state.summary;
  $('#layer-select').value = String(state.layer);
  $('#heatmap-title-layer').textContent = String(state.layer);
  $('#strip-layer').textContent = String(state.layer);
  drawTokenStrip($('#tokens'), s, state.layer, state.generatedFrom, ctx);
  drawRouterHeatmap($('#router-heatmap'), s, state.layer, ctx);
  drawExpertLoad($('#expert-load'), s, state.layer, ctx);
  $('#analyses-layer').textContent = String(state.layer);
  drawExpertTokens($('#expert-tokens'), s, state.layer, state.expert, ctx);
  drawCoActivation($('#co-activation'), s, state.layer, ctx);
}

function markSelection() {
  document.querySelectorAll('[data-token].selected, .layer-band.selected')
    .forEach(n => n.classList.remove('selected'));
  if (state.token !== null) {
    document.querySelectorAll(`.band[data-token="${state.token}"], .token[data-token="${state.token}"], `
      + `.token-label[data-token="${state.token}"]`).forEach(n => n.classList.add('selected'));
  }
  document.querySelectorAll(`.layer-band[data-layer="${state.layer}"]`).forEach(n => n.classList.add('selected'));
  document.querySelectorAll('#token-detail tr[data-layer]')
    .forEach(r => r.classList.toggle('selected', Number(r.dataset.layer) === state.layer));
  markAttentionToken($('#attention'), state.token);
  const strip = $('#tokens');
  const chosen = strip.querySelector('.token.selected');
  if (chosen && (chosen.offsetTop < strip.scrollTop || chosen.offsetTop + chosen.offsetHeight > strip.scrollTop + strip.clientHeight)) {
    strip.scrollTop = chosen.offsetTop - strip.clientHeight / 2;
  }
}

/** Selects a token in every view and scrolls it into view; `open` also brings its detail into view. */
async function selectToken(position, { open = false } = {}) {
  if (!state.summary) return;
  state.token = position;
  markSelection();
  showToken(position);
  // The what-if form belongs to the detail on screen: until this token's detail arrives (and the form is drawn
  // for it) there is none, so a choice made in the old form is neither sent for the wrong token nor overwritten.
  compare?.onDetail(null);
  const id = state.summary.id;
  try {
    const detail = await api.token(id, position);
    if (state.summary.id !== id || state.token !== position) return;
    state.detail = compare ? compare.reflag(detail) : detail;
    $('#detail-title').textContent = `token #${position}`;
    drawTokenDetail($('#token-detail'), detail, ctx);
    compare?.onDetail(detail);
    markSelection();
    if (open) {
      $('#detail-title-h').scrollIntoView({ block: 'start' });
      $('#token-detail').focus({ preventScroll: true });
    }
  } catch (e) {
    say(describeError(e), 'error');
  }
}

function selectLayer(layer) {
  if (!state.summary || layer === state.layer) return;
  state.layer = layer;
  drawLayerViews();
  markSelection();
}

async function showAttention() {
  const s = state.summary;
  if (!s) return;
  const layer = Number($('#attn-layer').value);
  const head = Number($('#attn-head').value);
  const view = await busy(`recording attention of layer ${layer}, head ${head}`, () => api.attention(s.id, layer, head));
  if (!view) return;
  state.attention = view;
  drawAttention($('#attention'), view, ctx);
  markSelection();
}

function fillSelect(select, n, label) {
  select.replaceChildren(...Array.from({ length: n }, (_, i) => el('option', { value: i, text: `${label} ${i}` })));
}

function wireControls(model) {
  const c = model.config;
  fillSelect($('#layer-select'), c.num_hidden_layers, 'layer');
  fillSelect($('#attn-layer'), c.num_hidden_layers, 'layer');
  fillSelect($('#attn-head'), c.num_attention_heads, 'head');
  fillSelect($('#expert-select'), c.num_local_experts, 'expert');
  $('#expert-select').addEventListener('change', e => {
    state.expert = Number(e.target.value);
    if (state.summary) drawExpertTokens($('#expert-tokens'), state.summary, state.layer, state.expert, ctx);
  });
  $('#norm-select').replaceChildren(...state.format.normViews.map(name =>
    el('option', { value: name, text: `${name}: ${state.help[name]}` })));
  $('#layer-select').addEventListener('change', e => selectLayer(Number(e.target.value)));
  $('#norm-select').addEventListener('change', e => {
    state.norm = e.target.value;
    if (state.summary) drawNorms($('#norms'), state.summary, state.norm, state.help[state.norm], ctx);
    markSelection();
  });
  $('#attn-show').addEventListener('click', showAttention);
  $('#attn-layer').addEventListener('change', () => state.attention && showAttention());
  $('#attn-head').addEventListener('change', () => state.attention && showAttention());
  const max = model.limits?.maxGenerate ?? 64;
  $('#generate-n').max = String(max);
  $('#prompt-limit').textContent = `(appended to the trace shown, greedily) · at most ${max} at a time,`
    + ` ${model.limits?.maxTokens ?? '?'} tokens in all`;
  $('#prompt-form').addEventListener('submit', e => {
    e.preventDefault();
    runPrompt($('#prompt').value);
  });
  $('#prompt').addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('#prompt-form').requestSubmit();
    }
  });
  $('#generate').addEventListener('click', () => generate(Math.max(1, Number($('#generate-n').value) || 1)));
  window.addEventListener('popstate', () => {
    const params = new URLSearchParams(location.search);
    const id = params.get('trace');
    if (id) showTrace(id, { push: false }).then(ok => ok && params.get('compare')
      && compare.show(id, params.get('compare'), { push: false }));
  });
  let resize;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(() => {
      drawTrace();
      if (state.detail) drawTokenDetail($('#token-detail'), state.detail, ctx);
      if (state.attention) drawAttention($('#attention'), state.attention, ctx);
      markSelection();
    }, 200);
  });
}

async function start() {
  let model;
  try {
    [model, state.format] = await Promise.all([api.model(), api.traceFormat()]);
  } catch (e) {
    say(`Cannot load the model: ${describeError(e)}`, 'error');
    return;
  }
  state.model = model;
  state.help = Object.fromEntries(state.format.tensors.map(t => [t.leaf, t.description]));
  state.norm = state.format.normViews[0];
  ctx.colors = expertColors(model.config.num_local_experts);
  drawModelCard($('#model-card'), model);
  drawExamples(model.examples || []);
  wireControls(model);
  compare = initCompare({ state, ctx, say, busy, redraw: () => {
    drawTrace();
    if (state.detail) drawTokenDetail($('#token-detail'), state.detail, ctx);
    markSelection();
  } });
  labels = initLabels({ state, ctx, say });
  const evidence = model.evidence ? loadEvidence() : Promise.resolve();
  const shared = new URLSearchParams(location.search).get('trace');
  const shown = shared && await showTrace(shared, { push: false });
  if (!shown) await showExample(model, shared);
  const other = new URLSearchParams(location.search).get('compare');
  if (shown && other) await compare.show(shared, other, { push: false });
  await evidence;
  document.body.dataset.ready = 'true';
}

/** The first example prompt's trace (made by the server at start, or now); after a failed shared link, says so. */
async function showExample(model, failedId) {
  const failure = failedId ? $('#message').textContent : '';
  if (failedId) history.replaceState(null, '', '/');
  const example = model.examples?.[0]?.text || '';
  $('#prompt').value = example;
  if (model.exampleTraceId) {
    await showTrace(model.exampleTraceId, { push: false });
  } else if (example) {
    await runPrompt(example);
  }
  if (failure) say(`${failure} Showing the example prompt instead.`, 'error');
}

start();
