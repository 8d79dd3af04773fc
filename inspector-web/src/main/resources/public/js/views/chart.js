// Pieces every token-by-something chart shares: an SVG frame, a token axis whose labels select tokens, and the
// selection band that shows the chosen token in every view at once.
import { el } from '../dom.js';
import { shorten } from '../layout.js';

const d3 = window.d3;

export const CELL_H = 22;

export function frame(container, width, height, margin, label) {
  const svg = d3.select(container).append('svg')
    .attr('width', width + margin.left + margin.right)
    .attr('height', height + margin.top + margin.bottom)
    .attr('role', 'img')
    .attr('aria-label', label);
  return svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
}

/** Room left of the first token column inside a scrolling box whose row labels are pinned beside it. */
export const PINNED_PAD = 4;

/**
 * A fixed column `labelWidth` px wide for row labels beside `scroller`, a box whose token columns scroll sideways, so
 * the labels stay in view (put `row` in the page). `labels` is translated to (`labelWidth`, `top`): labels go at x < 0,
 * right-aligned, level with the rows of a chart drawn `top` px down in the scroller.
 */
export function pinLabels(scroller, labelWidth, height, top) {
  const svg = d3.create('svg').attr('class', 'row-labels').attr('width', labelWidth).attr('height', height);
  return {
    row: el('div', { class: 'pinned' }, svg.node(), scroller),
    labels: svg.append('g').attr('transform', `translate(${labelWidth},${top})`),
  };
}

/**
 * `frame` with its row labels pinned (`pinLabels`): the labels column is `margin.left` px wide, the chart starts
 * `PINNED_PAD` px into `scroller` (pass both to syncScroll). Both groups are translated to the chart's top-left corner.
 */
export function pinnedFrame(container, width, height, margin, label) {
  const scroller = el('div', { class: 'chart-scroll' });
  const { row, labels } = pinLabels(scroller, margin.left, height + margin.top + margin.bottom, margin.top);
  container.append(row);
  const g = frame(scroller, width, height, { ...margin, left: PINNED_PAD }, label);
  return { labels, g, scroller };
}

/** Token labels above the columns, rotated so long pieces fit; clicking one selects the token. */
export function tokenAxis(g, tokens, cw, onToken, y = -6) {
  g.append('g').attr('class', 'token-axis')
    .selectAll('text').data(tokens).join('text')
    .attr('class', 'token-label')
    .attr('data-token', d => d.position)
    .attr('transform', d => `translate(${d.position * cw + cw / 2},${y}) rotate(-55)`)
    .text(d => shorten(d.text))
    .on('click', (_, d) => onToken(d.position))
    .append('title').text(d => `#${d.position} ${d.text}  (piece ${d.piece}, id ${d.id})`);
}

/** A transparent frame over each token's column; CSS draws it when that token is selected. */
export function tokenBands(g, tokens, cw, height) {
  g.append('g').attr('class', 'bands')
    .selectAll('rect').data(tokens).join('rect')
    .attr('class', 'band')
    .attr('data-token', d => d.position)
    .attr('x', d => d.position * cw).attr('y', -2)
    .attr('width', cw).attr('height', height + 4);
}

/** Horizontal bars of a distribution over experts: chosen experts in their colour, the others grey. */
export function distributionBars(probs, chosen, colors, width = 120, height = 28) {
  const bw = width / probs.length;
  const y = d3.scaleLinear().domain([0, Math.max(0.5, d3.max(probs))]).range([height, 0]);
  const svg = d3.create('svg').attr('class', 'dist').attr('width', width).attr('height', height)
    .attr('role', 'img').attr('aria-label', 'router probabilities: '
      + Array.from(probs, (p, e) => `expert ${e} ${(100 * p).toFixed(0)}%`).join(', '));
  svg.selectAll('rect').data(Array.from(probs)).join('rect')
    .attr('x', (_, e) => e * bw + 1).attr('width', Math.max(1, bw - 2))
    .attr('y', p => y(p)).attr('height', p => height - y(p))
    .attr('data-expert', (_, e) => e)
    .attr('fill', (_, e) => (chosen.includes(e) ? colors(e) : '#c9ced6'));
  return svg.node();
}
