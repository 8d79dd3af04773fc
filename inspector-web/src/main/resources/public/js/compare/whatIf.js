// "What if": under the token detail, one intervention at a time (README, POST /api/traces/{id}/whatif): force this
// token's experts at a layer, drop an expert (at a layer or every layer), change k, or round the router to bf16/f16.
// Run sends it; the answer's diff is drawn by the compare section.
import { el } from '../dom.js';

const KINDS = [
  ['force', 'force this token\'s experts'],
  ['drop', 'drop an expert'],
  ['topK', 'change k (experts per token)'],
  ['routerPrecision', 'round the router'],
];

function options(values, selected) {
  return values.map(([value, text]) => el('option', { value, text, selected: String(value) === String(selected) }));
}

/** The request body the form describes, e.g. {"force":[{"layer":2,"token":5,"experts":[1,4]}]}. */
export function interventionOf(kind, { layer, token, experts, expert, k, precision }) {
  switch (kind) {
    case 'force': return { force: [{ layer, token, experts }] };
    case 'drop': return { drop: [{ layer: layer === '*' ? '*' : Number(layer), expert }] };
    case 'topK': return { topK: k };
    default: return { routerPrecision: precision };
  }
}

/** Draws the form for `detail` (a token detail) of a trace summarised by `summary`; `run(body)` sends it. */
export function drawWhatIf(container, detail, summary, selectedLayer, run) {
  const E = summary.experts;
  const K = summary.k;
  const layer = Math.min(selectedLayer, detail.layers.length - 1);
  const kind = el('select', { id: 'whatif-kind' }, options(KINDS, 'force'));
  const layerSel = el('select', { id: 'whatif-layer' });
  const expertsIn = el('input', { id: 'whatif-experts', type: 'text', size: 8, inputmode: 'numeric',
    value: detail.layers[layer].experts.join(','), 'aria-label': `${K} experts, comma-separated` });
  const expertSel = el('select', { id: 'whatif-expert' },
    options(Array.from({ length: E }, (_, e) => [e, `expert ${e}`]), detail.layers[layer].experts[0]));
  const kIn = el('input', { id: 'whatif-k', type: 'number', min: 1, max: E, value: K });
  const precisionSel = el('select', { id: 'whatif-precision' }, options([['bf16', 'bfloat16'], ['f16', 'float16']], 'bf16'));
  const fields = {
    force: [el('label', { class: 'control' }, 'Layer ', layerSel), el('label', { class: 'control' }, 'Experts ', expertsIn)],
    drop: [el('label', { class: 'control' }, 'Layer ', layerSel), el('label', { class: 'control' }, 'Expert ', expertSel)],
    topK: [el('label', { class: 'control' }, 'k ', kIn)],
    routerPrecision: [el('label', { class: 'control' }, 'Precision ', precisionSel)],
  };
  const slot = el('span', { class: 'whatif-fields' });
  const show = () => {
    const dropping = kind.value === 'drop';
    const current = layerSel.value;
    layerSel.replaceChildren(...options([...(dropping ? [['*', 'every layer']] : []),
      ...detail.layers.map(d => [d.layer, `layer ${d.layer}`])], current === '' ? layer : current));
    slot.replaceChildren(...fields[kind.value]);
  };
  layerSel.addEventListener('change', () => {
    const d = detail.layers[Number(layerSel.value)];
    if (d) expertsIn.value = d.experts.join(',');
  });
  kind.addEventListener('change', show);
  show();
  const submit = el('button', { id: 'whatif-run', type: 'button', class: 'run-control', text: 'Run what-if',
    onclick: () => run(interventionOf(kind.value, {
      layer: layerSel.value === '*' ? '*' : Number(layerSel.value),
      token: detail.token.position,
      experts: expertsIn.value.split(',').map(s => s.trim()).filter(Boolean).map(Number),
      expert: Number(expertSel.value),
      k: Number(kIn.value),
      precision: precisionSel.value,
    })) });
  container.replaceChildren(el('h4', { text: `What if, at token #${detail.token.position}` }),
    el('div', { class: 'control-row' }, el('label', { class: 'control' }, 'Change ', kind), slot, submit),
    el('p', { class: 'muted', text: 'Runs the model on this trace\'s tokens with the change, stores the result as a '
      + 'trace and shows it as a diff against this one (routing downstream, next token before and after).' }));
}
