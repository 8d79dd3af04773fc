// Legends: swatches for the experts' categorical colours, a gradient bar for sequential scales.
import { el } from '../dom.js';

const d3 = window.d3;

export function expertLegend(experts, colors, note) {
  const items = d3.range(experts).map(e => el('span', { class: 'swatch-item' },
    el('span', { class: 'swatch', style: { background: colors(e) } }), `expert ${e}`));
  return el('div', { class: 'legend' }, ...items, note ? el('span', { class: 'legend-note', text: note }) : null);
}

export function gradientLegend(scale, label, format = d3.format('.2f'), width = 220) {
  const [lo, hi] = d3.extent(scale.domain());
  const id = `grad-${Math.random().toString(36).slice(2)}`;
  const svg = d3.create('svg').attr('width', width + 36).attr('height', 34).attr('class', 'gradient-legend');
  const grad = svg.append('defs').append('linearGradient').attr('id', id);
  d3.range(0, 1.0001, 0.1).forEach(t => grad.append('stop')
    .attr('offset', `${t * 100}%`).attr('stop-color', scale(lo + t * (hi - lo))));
  svg.append('rect').attr('x', 10).attr('y', 2).attr('width', width).attr('height', 12)
    .attr('fill', `url(#${id})`).attr('stroke', '#999');
  const x = d3.scaleLinear().domain([lo, hi]).range([10, width + 10]);
  svg.append('g').attr('transform', 'translate(0,14)')
    .call(d3.axisBottom(x).ticks(5).tickFormat(format).tickSizeOuter(0));
  return el('div', { class: 'legend' }, el('span', { class: 'legend-label', text: label }), svg.node());
}
