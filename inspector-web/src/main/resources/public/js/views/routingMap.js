// Routing map: tokens x layers, each cell the first-choice expert's colour with the second choice as a stripe
// (Mixtral paper, Figure 8, for every layer at once). Clicking a cell selects its token and layer.
import { el, pct } from '../dom.js';
import { CELL_H, frame, tokenAxis, tokenBands } from './chart.js';
import { expertLegend } from './legend.js';
import { textOn } from '../colors.js';
import { cellWidth, DIGIT_WIDTH, stripes } from '../layout.js';
import { byProbability } from '../routing.js';
import { hideTip, showTip } from './tooltip.js';

const d3 = window.d3;

export function drawRoutingMap(container, summary, ctx) {
  const { tokens, layers, routing } = summary;
  const T = tokens.length;
  const margin = { top: 70, right: 10, bottom: 8, left: 44 };
  const cw = cellWidth(container.clientWidth, T, margin.left);
  container.replaceChildren(expertLegend(summary.experts, ctx.colors,
    'big square: first choice · stripe: second choice · dot: near tie'));
  const g = frame(container, T * cw, layers * CELL_H, margin, `routing map, ${T} tokens by ${layers} layers`);

  tokenAxis(g, tokens, cw, ctx.onToken);
  g.append('g').selectAll('text').data(d3.range(layers)).join('text')
    .attr('class', 'layer-label').attr('data-layer', l => l)
    .attr('x', -6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .text(l => `L${l}`)
    .on('click', (_, l) => ctx.onLayer(l));

  const cells = routing.flatMap((row, l) => row.map((cell, t) => ({ ...cell, layer: l, token: t })));
  const cell = g.append('g').selectAll('g').data(cells).join('g')
    .attr('transform', d => `translate(${d.token * cw},${d.layer * CELL_H})`)
    .on('mousemove', (event, d) => showTip(event, ...describe(d, tokens[d.token], ctx)))
    .on('mouseleave', hideTip)
    .on('click', (_, d) => { ctx.onLayer(d.layer); ctx.onToken(d.token); });

  cell.append('rect').attr('class', 'cell')
    .attr('data-token', d => d.token).attr('data-layer', d => d.layer).attr('data-expert', d => d.experts[0])
    .attr('width', cw - 1).attr('height', CELL_H - 1)
    .attr('fill', d => ctx.colors(d.experts[0]));
  // Later choices share a stripe along the bottom, in order.
  cell.each(function (d) {
    d3.select(this).selectAll('rect.second').data(stripes(cw, d.experts.slice(1))).join('rect').attr('class', 'second')
      .attr('data-expert', s => s.expert)
      .attr('x', s => s.x).attr('y', CELL_H - 8).attr('width', s => s.width).attr('height', 5)
      .attr('fill', s => ctx.colors(s.expert)).attr('stroke', '#fff').attr('stroke-width', 0.8);
  });
  if (cw >= DIGIT_WIDTH) {
    cell.append('text').attr('class', 'cell-text')
      .attr('x', (cw - 1) / 2).attr('y', 9).attr('dy', '0.3em').attr('text-anchor', 'middle')
      .attr('fill', d => textOn(ctx.colors(d.experts[0])))
      .text(d => d.experts[0]);
  }
  cell.filter(d => d.nearTie).append('circle').attr('class', 'tie-mark')
    .attr('cx', cw - 5).attr('cy', 4).attr('r', 2.5);

  tokenBands(g, tokens, cw, layers * CELL_H);
  g.append('g').attr('class', 'layer-bands').selectAll('rect').data(d3.range(layers)).join('rect')
    .attr('class', 'layer-band').attr('data-layer', l => l)
    .attr('x', -2).attr('y', l => l * CELL_H).attr('width', T * cw + 3).attr('height', CELL_H - 1);
}

/** Tooltip lines: the token, the chosen experts and weights, and every expert's router probability. */
export function describe(cell, token, ctx) {
  const rows = byProbability(cell.probs).map(e => el('div', { class: 'tip-row' },
    el('span', { class: 'swatch', style: { background: ctx.colors(e) } }),
    el('span', { text: `expert ${e}` }),
    el('span', { class: 'num', text: pct(cell.probs[e]) }),
    cell.experts.includes(e) ? el('span', { class: 'tip-chosen', text: `chosen, weight ${pct(cell.weights[cell.experts.indexOf(e)])}` }) : null));
  const margin = cell.margin === null || cell.margin === undefined ? 'no margin (K = E)'
    : `margin ${cell.margin.toFixed(3)}${cell.nearTie ? ' — near tie' : ''}`;
  return [
    el('div', { class: 'tip-title' }, el('span', { class: 'tok', text: token.text }), ` #${token.position} · layer ${cell.layer}`),
    el('div', { class: 'tip-sub', text: `router probabilities (softmax over all experts) · ${margin}` }),
    ...rows,
  ];
}
