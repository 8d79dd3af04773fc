// Attention pattern of one layer and head: query tokens (rows) x key tokens (columns), fetched on demand because the
// server re-runs the model to record it. Causal: a query only sees keys at or before it.
import { el } from '../dom.js';
import { probabilityScale } from '../colors.js';
import { cellWidth, shorten } from '../layout.js';
import { frame, tokenAxis } from './chart.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';

const d3 = window.d3;

export function drawAttention(container, view, ctx) {
  const { tokens, probs } = view;
  const T = tokens.length;
  const margin = { top: 70, right: 10, bottom: 8, left: 96 };
  const cw = Math.min(28, cellWidth(container.clientWidth, T, margin.left));
  const color = probabilityScale();
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, 'attention probability', d3.format('.0%')),
    el('span', { class: 'legend-note', text: `layer ${view.layer}, head ${view.head} of ${view.heads}: row = query token, column = key token it attends to` })));
  const g = frame(container, T * cw, T * cw, margin, `attention of layer ${view.layer} head ${view.head}, ${T} by ${T} tokens`);
  g.attr('data-layer', view.layer).attr('data-head', view.head);
  tokenAxis(g, tokens, cw, ctx.onToken);
  g.append('g').selectAll('text').data(tokens).join('text')
    .attr('class', 'token-label').attr('data-token', d => d.position)
    .attr('x', -6).attr('y', d => d.position * cw + cw / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .text(d => shorten(d.text))
    .on('click', (_, d) => ctx.onToken(d.position));
  const cells = probs.flatMap((row, q) => Array.from(row, (p, k) => ({ q, k, p })));
  g.append('g').selectAll('rect').data(cells).join('rect')
    .attr('class', 'cell').attr('data-query', d => d.q).attr('data-key', d => d.k).attr('data-prob', d => d.p.toFixed(4))
    .attr('x', d => d.k * cw).attr('y', d => d.q * cw).attr('width', cw - 1).attr('height', cw - 1)
    .attr('fill', d => (d.k > d.q ? '#f3f4f6' : color(d.p)))
    .on('mousemove', (event, d) => showTip(event,
      el('div', {}, el('span', { class: 'tok', text: tokens[d.q].text }), ' → ',
        el('span', { class: 'tok', text: tokens[d.k].text })),
      d.k > d.q ? 'a future token: masked' : `${(100 * d.p).toFixed(1)}% of query #${d.q}'s attention on key #${d.k}`))
    .on('mouseleave', hideTip);
}
