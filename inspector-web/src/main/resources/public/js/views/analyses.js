// Analyses over the whole trace (analysis.js computes them): the tokens one expert took, highlighted in the text;
// which experts a layer chooses together (co-activation, E x E); how undecided the router was (entropy, L x T).
import { el } from '../dom.js';
import { coActivation, routingEntropy, tokensOf } from '../analysis.js';
import { textOn } from '../colors.js';
import { cellWidth } from '../layout.js';
import { exportBar } from '../export.js';
import { syncScroll } from '../scrollSync.js';
import { CELL_H, frame, PINNED_PAD, pinnedFrame, tokenAxis, tokenBands } from './chart.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';

const d3 = window.d3;

/** The prompt as text, the tokens `expert` took at `layer` marked: filled for a first choice, dashed for a later one. */
export function drawExpertTokens(container, summary, layer, expert, ctx) {
  const took = new Map(tokensOf(summary.routing[layer], expert).map(d => [d.token, d.rank]));
  const first = [...took.values()].filter(r => r === 0).length;
  const colour = ctx.colors(expert);
  const text = el('p', { class: 'expert-text', 'data-expert': expert, 'data-layer': layer },
    summary.tokens.map(t => {
      const rank = took.get(t.position);
      const marked = rank !== undefined;
      return el(marked ? 'mark' : 'span', {
        class: marked ? `took rank-${rank === 0 ? 'first' : 'later'}` : 'plain', 'data-token': t.position,
        'data-rank': marked ? rank : undefined, title: `#${t.position}${marked ? `: choice ${rank + 1} of expert ${expert}` : ''}`,
        style: marked ? (rank === 0 ? { background: colour, color: textOn(colour) } : { 'border-color': colour }) : undefined,
        onclick: () => ctx.onToken(t.position),
      }, t.text);
    }));
  container.replaceChildren(el('p', { class: 'legend-note', 'data-count': took.size },
    `expert ${expert} took ${took.size} of ${summary.tokens.length} tokens at layer ${layer}: `
    + `${first} as first choice (filled), ${took.size - first} as a later one (dashed underline)`), text);
}

/** Co-activation of one layer: E x E cells, the count in each, darker for more tokens. */
export function drawCoActivation(container, summary, layer, ctx) {
  const E = summary.experts;
  const m = coActivation(summary.routing[layer], E);
  const off = m.flatMap((r, i) => r.filter((_, j) => j !== i));
  const color = d3.scaleSequential(d3.interpolateBlues).domain([0, Math.max(1, d3.max(off))]);
  const size = 30;
  container.replaceChildren(el('p', { class: 'legend-note', text: `layer ${layer}: tokens that chose both experts `
    + `among their ${summary.k}; the diagonal (outlined) is each expert's load` }));
  const g = frame(container, E * size, E * size, { top: 24, right: 10, bottom: 8, left: 30 },
    `co-activation of experts at layer ${layer}`);
  g.attr('data-layer', layer);
  const heads = [...d3.range(E)];
  g.append('g').selectAll('text').data(heads).join('text').attr('class', 'expert-label')
    .attr('x', e => e * size + size / 2).attr('y', -8).attr('text-anchor', 'middle').text(e => e);
  g.append('g').selectAll('text').data(heads).join('text').attr('class', 'expert-label')
    .attr('x', -8).attr('y', e => e * size + size / 2).attr('dy', '0.35em').attr('text-anchor', 'end').text(e => e);
  const cells = m.flatMap((r, i) => r.map((count, j) => ({ i, j, count })));
  const cell = g.append('g').selectAll('g').data(cells).join('g')
    .attr('transform', d => `translate(${d.j * size},${d.i * size})`)
    .on('mousemove', (event, d) => showTip(event, d.i === d.j ? `expert ${d.i}: chosen by ${d.count} tokens`
      : `experts ${d.i} and ${d.j}: chosen together by ${d.count} tokens`))
    .on('mouseleave', hideTip);
  cell.append('rect').attr('class', d => `cell${d.i === d.j ? ' diagonal' : ''}`)
    .attr('data-row', d => d.i).attr('data-column', d => d.j).attr('data-count', d => d.count)
    .attr('width', size - 1).attr('height', size - 1)
    .attr('fill', d => (d.i === d.j ? 'none' : color(d.count)));
  cell.append('text').attr('class', 'cell-text').attr('x', size / 2).attr('y', size / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'middle').attr('fill', d => (d.i === d.j ? 'currentColor' : textOn(color(d.count))))
    .text(d => d.count);
  container.prepend(exportBar(container, `co-activation layer ${layer}`, () => [['layer', 'expert_a', 'expert_b', 'token_count'],
    ...cells.map(d => [layer, d.i, d.j, d.count])]));
}

/** Routing entropy in bits, layers x tokens; 0 = certain, log2(E) = every expert alike. */
export function drawEntropy(container, summary, ctx) {
  const { tokens, layers } = summary;
  const T = tokens.length;
  const bits = routingEntropy(summary.routing);
  const margin = { top: 70, right: 70, bottom: 8, left: 44 };
  const cw = cellWidth(container.clientWidth, T, margin.left);
  const color = d3.scaleSequential(d3.interpolateViridis).domain([Math.log2(summary.experts), 0]);
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, 'router entropy, bits', d3.format('.1f')),
    el('span', { class: 'legend-note', text: `0 bits: the router is sure; ${Math.log2(summary.experts).toFixed(0)} bits: `
      + 'every expert equally likely' })));
  const { labels, g, scroller } = pinnedFrame(container, T * cw, layers * CELL_H, margin,
    `routing entropy, ${layers} layers by ${T} tokens`);
  tokenAxis(g, tokens, cw, ctx.onToken);
  labels.append('g').selectAll('text').data(d3.range(layers)).join('text')
    .attr('class', 'layer-label').attr('x', -6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'end').text(l => `L${l}`);
  const cells = bits.flatMap((r, l) => r.map((value, t) => ({ layer: l, token: t, value })));
  g.append('g').selectAll('rect').data(cells).join('rect')
    .attr('class', 'cell').attr('data-token', d => d.token).attr('data-layer', d => d.layer)
    .attr('data-bits', d => d.value.toFixed(4))
    .attr('x', d => d.token * cw).attr('y', d => d.layer * CELL_H)
    .attr('width', cw - 1).attr('height', CELL_H - 1).attr('fill', d => color(d.value))
    .on('mousemove', (event, d) => showTip(event,
      el('div', { class: 'tip-title' }, el('span', { class: 'tok', text: tokens[d.token].text }), ` #${d.token} · layer ${d.layer}`),
      `router entropy ${d.value.toFixed(3)} bits`))
    .on('mouseleave', hideTip)
    .on('click', (_, d) => ctx.onToken(d.token));
  tokenBands(g, tokens, cw, layers * CELL_H);
  syncScroll(scroller, cw, PINNED_PAD);
  container.prepend(exportBar(container, 'routing entropy', () => [['layer', 'position', 'token', 'bits'],
    ...cells.map(d => [d.layer, d.token, tokens[d.token].text, d.value.toFixed(6)])]));
}
