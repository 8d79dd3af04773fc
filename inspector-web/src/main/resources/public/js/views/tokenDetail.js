// Token detail: for one token, per layer, the chosen experts and weights, the full router distribution, the margin
// between the K-th and (K+1)-th logit, and the logit lens (the residual stream sent through the final norm and LM head).
import { el, fmt, pct } from '../dom.js';
import { textOn } from '../colors.js';
import { distributionBars } from './chart.js';
import { predictionList } from './predictions.js';

export function drawTokenDetail(container, detail, ctx) {
  const { token, layers } = detail;
  const header = el('div', { class: 'detail-head' },
    el('span', { class: 'tok big', text: token.text }),
    el('span', { class: 'muted', text: ` position ${token.position} · id ${token.id} · piece ` }),
    el('code', { text: token.piece }));
  const rows = layers.map(d => el('tr', { 'data-layer': d.layer, class: d.layer === ctx.selectedLayer ? 'selected' : '' },
    el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link', text: `L${d.layer}`,
      title: `show layer ${d.layer} in the router heatmap`, onclick: () => ctx.onLayer(d.layer) })),
    el('td', {}, d.experts.map((e, i) => el('span', {
      class: 'chip', style: { background: ctx.colors(e), color: textOn(ctx.colors(e)) }, 'data-expert': e,
    }, `${e} · ${pct(d.weights[i])}`))),
    el('td', { title: Array.from(d.probs, (p, e) => `expert ${e}: ${pct(p)} (logit ${fmt(d.logits[e], 2)})`).join('\n') },
      distributionBars(d.probs, d.experts, ctx.colors)),
    el('td', { class: `num${d.nearTie ? ' near-tie' : ''}` }, fmt(d.margin),
      d.nearTie ? el('span', { class: 'tie-badge', title: 'near tie: a small change could swap the experts', text: 'near tie' }) : null),
    el('td', { class: 'lens' }, d.logitLens.map(p => el('span', { class: 'lens-item', title: `piece ${p.piece}, id ${p.id}` },
      el('span', { class: 'tok', text: p.text }), el('span', { class: 'num', text: pct(p.prob) })))),
    el('td', { class: 'num', text: fmt(d.residNorm, 2) })));
  const table = el('table', { class: 'detail-table' },
    el('caption', { class: 'sr-only', text: `routing of token ${token.position} at every layer` }),
    el('thead', {}, el('tr', {},
      ['layer', 'experts · weight', 'router distribution', 'margin', 'logit lens top 5', '‖resid‖'].map(h => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows));
  container.replaceChildren(header, el('div', { class: 'scroll' }, table),
    el('h4', { text: 'Predicted after this token' }), predictionList(detail.next));
}
