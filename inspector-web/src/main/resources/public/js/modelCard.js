// The model card: what the model is, honestly, and how many of its parameters each token uses.
import { el, count } from './dom.js';

export function drawModelCard(container, model) {
  const c = model.config;
  const share = model.totalParameters ? (100 * model.activeParameters) / model.totalParameters : 0;
  const facts = [
    ['layers', c.num_hidden_layers],
    ['experts', `${c.num_local_experts}, top-${c.num_experts_per_tok}`],
    ['hidden size', c.hidden_size],
    ['heads', `${c.num_attention_heads} (${c.num_key_value_heads} key/value)`],
    ['vocabulary', c.vocab_size],
    ['tokenizer', model.tokenizer],
  ];
  const parts = Object.entries(model.parametersByPart || {}).map(([part, n]) => el('tr', {},
    el('th', { scope: 'row', text: part }), el('td', { class: 'num', text: n.toLocaleString('en') }),
    el('td', { class: 'num', text: (model.activeParametersByPart?.[part] ?? 0).toLocaleString('en') })));
  container.replaceChildren(
    el('h2', { id: 'model-name', text: model.name }),
    el('p', { class: 'description', text: model.description }),
    model.randomWeights ? el('p', { class: 'honest-note', role: 'note' },
      el('strong', { text: 'Random weights. ' }),
      'This model was not trained: its routing shows the mechanics of a sparse mixture of experts (top-k choice, '
      + 'routing weights, load, near ties), not learned specialisation. Load a real Mixtral checkpoint with ',
      el('code', { text: '--model DIR' }), ' to see that.') : null,
    el('p', { class: 'params' },
      el('span', { class: 'big-num', text: count(model.totalParameters) }), ' parameters in all, ',
      el('span', { class: 'big-num', text: count(model.activeParameters) }),
      ` active per token (${share.toFixed(0)}%): each token runs only ${c.num_experts_per_tok} of ${c.num_local_experts} experts per layer.`),
    el('dl', { class: 'facts' }, facts.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: String(v) })))),
    parts.length ? el('details', {}, el('summary', { text: 'parameters by part' }),
      el('table', { class: 'parts' }, el('thead', {}, el('tr', {},
        el('th', { text: 'part' }), el('th', { text: 'total' }), el('th', { text: 'active per token' }))),
      el('tbody', {}, parts))) : null);
}
