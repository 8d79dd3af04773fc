// The model card: what the model is (its sizes from the configuration and weight files, where its weights come from,
// what its routing learned), honestly, and how many of its parameters each token uses.
import { el, count } from './dom.js';

export function drawModelCard(container, model) {
  const c = model.config;
  const share = model.totalParameters ? (100 * model.activeParameters) / model.totalParameters : 0;
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  const facts = [
    ['layers', c.num_hidden_layers],
    ['experts', `${c.num_local_experts} of hidden size ${c.intermediate_size}, top-${c.num_experts_per_tok}`],
    ['hidden size', c.hidden_size],
    ['heads', `${c.num_attention_heads} (${c.num_key_value_heads} key/value), ${headDim} wide`],
    ['vocabulary', c.vocab_size],
    ['weights', model.weights ? `${megabytes(model.weights.bytes)} in ${model.weights.dtype}` : '?'],
    ['tokenizer', model.tokenizer],
  ];
  const parts = Object.entries(model.parametersByPart || {}).map(([part, n]) => el('tr', {},
    el('th', { scope: 'row', text: part }), el('td', { class: 'num', text: n.toLocaleString('en') }),
    el('td', { class: 'num', text: (model.activeParametersByPart?.[part] ?? 0).toLocaleString('en') })));
  container.replaceChildren(...[
    el('h2', { id: 'model-name', text: model.name }),
    el('p', { class: 'description', text: model.description }),
    model.randomWeights ? el('p', { class: 'honest-note', role: 'note' },
      el('strong', { text: 'Random weights. ' }),
      'This model was not trained: its routing shows the mechanics of a sparse mixture of experts (top-k choice, '
      + 'routing weights, load, near ties), not learned specialisation.') : null,
    el('p', { class: 'params' },
      el('span', { class: 'big-num', text: count(model.totalParameters) }), ' parameters in all, ',
      el('span', { class: 'big-num', text: count(model.activeParameters) }),
      ` active per token (${share.toFixed(0)}%): each token runs only ${c.num_experts_per_tok} of ${c.num_local_experts} experts per layer.`),
    el('dl', { class: 'facts' }, facts.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: String(v) })))),
    model.card ? el('dl', { class: 'card-facts' }, model.card.facts.map(f => el('div', { 'data-fact': f.label },
      el('dt', { text: f.label }), el('dd', { text: f.text })))) : null,
    model.evidence ? el('div', { id: 'model-learned', class: 'learned' }) : null,
    model.card?.docs?.length ? el('p', { class: 'docs muted' }, 'Read more in the project\'s repository: ',
      model.card.docs.flatMap((d, i) => [i ? ' · ' : '', `${d.label}: `, el('code', { text: d.path })])) : null,
    parts.length ? el('details', {}, el('summary', { text: 'parameters by part' }),
      el('table', { class: 'parts' }, el('thead', {}, el('tr', {},
        el('th', { text: 'part' }), el('th', { text: 'total' }), el('th', { text: 'active per token' }))),
      el('tbody', {}, parts))) : null,
  ].filter(Boolean));
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
