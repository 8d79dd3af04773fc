// Compare and what-if on the page: the shared near-tie threshold, the trace upload, the diff section
// (/?trace=A&compare=B[&tieMargin=x]) and the what-if form under the token detail. main.js calls the hooks returned.
import { $ } from '../dom.js';
import { compareApi } from './compareApi.js';
import { drawDiff } from './diffView.js';
import { applyThreshold, parseThreshold } from './nearTie.js';
import { drawWhatIf } from './whatIf.js';

/**
 * `page`: { state, ctx, say, busy, redraw } from main.js; redraw() draws the trace views again (after the
 * threshold changed), `state` holds the summary, detail and selected layer.
 */
export function initCompare(page) {
  const { state, ctx, say, busy } = page;
  const params = new URLSearchParams(location.search);
  const fallback = state.model.nearTieMargin;
  let threshold = parseThreshold(params.get('tieMargin')) ?? fallback;
  let shown = null;                               // { a, b } of the diff on screen

  const input = $('#tie-margin');
  const value = $('#tie-margin-value');
  const showThreshold = () => {
    input.value = String(threshold);
    value.textContent = `margin < ${Number(threshold.toPrecision(3))}`;
  };
  showThreshold();
  input.addEventListener('change', async () => {
    const t = parseThreshold(input.value);
    if (t === undefined) {
      say('The near-tie threshold is a number >= 0.', 'error');
      showThreshold();
      return;
    }
    threshold = t;
    showThreshold();
    applyThreshold(state.summary, threshold);
    applyThreshold(state.detail, threshold);
    page.redraw();
    if (shown) await show(shown.a, shown.b, { push: false });
    else history.replaceState(history.state, '', urlOf(state.summary?.id, null));
  });

  $('#import-file').addEventListener('change', async e => {
    const file = e.target.files?.[0];
    if (!file) return;
    const imported = await busy(`importing ${file.name}`, () => compareApi.importFile(file));
    e.target.value = '';
    if (!imported) return;
    if (state.summary) await show(state.summary.id, imported.id);
    say(`Imported ${file.name} as trace ${imported.id}${state.summary ? `, compared with ${state.summary.id}` : ''}.`);
  });

  function urlOf(a, b) {
    const q = new URLSearchParams();
    if (a) q.set('trace', a);
    if (b) q.set('compare', b);
    if (threshold !== fallback) q.set('tieMargin', String(threshold));
    const figure = new URLSearchParams(location.search).get('figure7');
    if (figure !== null) q.set('figure7', figure);
    return `/?${q}`;
  }

  async function show(a, b, { push = true } = {}) {
    const view = await busy(`comparing ${a} with ${b}`, () => compareApi.compare(a, b, threshold));
    if (!view || state.summary?.id !== a) return false;
    shown = { a, b };
    if (push) history.pushState({ trace: a, compare: b }, '', urlOf(a, b));
    else history.replaceState(history.state, '', urlOf(a, b));
    $('#compare-section').hidden = false;
    $('#compare-ids').textContent = `A ${a} · B ${b}`;
    drawDiff($('#compare'), view, state.summary, ctx);
    return true;
  }

  async function runWhatIf(body) {
    const a = state.summary.id;
    const result = await busy('running the what-if', () => compareApi.whatIf(a, body, threshold));
    if (!result) return;
    if (result.diff) {
      await show(a, result.id);
      $('#compare-section').scrollIntoView({ block: 'start' });
      say(`What-if ${JSON.stringify(result.intervention)}: trace ${result.id}.`);
    } else {
      say(`What-if ${JSON.stringify(result.intervention)}: trace ${result.id}; no diff: ${result.noDiff}`, 'error');
    }
  }

  return {
    threshold: () => threshold,
    reflag: view => applyThreshold(view, threshold),
    show,
    /** A new trace on screen: the diff of another one goes away. */
    onTrace(id) {
      if (shown && shown.a !== id) {
        shown = null;
        $('#compare-section').hidden = true;
      }
    },
    /** Draws the what-if form for `detail`, or removes it (null) while another token's detail is loading. */
    onDetail(detail) {
      if (detail) drawWhatIf($('#whatif'), detail, state.summary, state.layer, runWhatIf);
      else $('#whatif').replaceChildren();
    },
    redraw() {
      if (shown) show(shown.a, shown.b, { push: false });
    },
  };
}
