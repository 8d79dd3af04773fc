// Pieces every token-by-something chart shares: an SVG frame, a token axis whose labels select tokens, and the
// selection band that shows the chosen token in every view at once.
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
