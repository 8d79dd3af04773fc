// Expert load: per layer, how many tokens chose each expert among their K, against the uniform T*K/E line.
import { el } from '../dom.js';
import { hideTip, showTip } from './tooltip.js';

import { exportBar } from '../export.js';

const d3 = window.d3;

export function drawExpertLoad(container, summary, selectedLayer, ctx) {
  const { load, experts: E, k, tokens } = summary;
  const uniform = (tokens.length * k) / E;
  const top = Math.max(uniform, d3.max(load.flat()));
  const width = Math.max(80, E * 14);
  const height = 70;
  const x = d3.scaleBand(d3.range(E), [0, width]).padding(0.15);
  const y = d3.scaleLinear([0, top], [height, 0]).nice();
  container.replaceChildren(el('p', { class: 'legend-note',
    text: `tokens per expert at each layer (each token counts for its ${k} experts); dashed line: uniform ${uniform.toFixed(1)} = T·K/E` }));
  const grid = el('div', { class: 'multiples' });
  container.append(grid);
  load.forEach((counts, layer) => {
    const box = el('button', { class: `multiple${layer === selectedLayer ? ' selected' : ''}`, type: 'button',
      'data-layer': layer, 'aria-label': `layer ${layer} expert load; select layer ${layer}` },
    el('span', { class: 'multiple-title', text: `layer ${layer}` }));
    box.addEventListener('click', () => ctx.onLayer(layer));
    grid.append(box);
    const svg = d3.select(box).append('svg').attr('width', width + 28).attr('height', height + 18);
    const g = svg.append('g').attr('transform', 'translate(24,4)');
    g.append('g').call(d3.axisLeft(y).ticks(3).tickSizeOuter(0)).attr('class', 'axis');
    const bars = Array.from(counts, (count, expert) => ({ count, expert }));
    g.selectAll('rect').data(bars).join('rect')
      .attr('class', 'bar').attr('data-layer', layer).attr('data-expert', d => d.expert).attr('data-count', d => d.count)
      .attr('x', d => x(d.expert)).attr('width', x.bandwidth())
      .attr('y', d => y(d.count)).attr('height', d => height - y(d.count))
      .attr('fill', d => ctx.colors(d.expert))
      .on('mousemove', (event, d) => showTip(event, `layer ${layer}, expert ${d.expert}`,
        `${d.count} of ${tokens.length} tokens (${(d.count / uniform).toFixed(2)}× uniform)`))
      .on('mouseleave', hideTip);
    g.append('line').attr('class', 'uniform').attr('x1', 0).attr('x2', width).attr('y1', y(uniform)).attr('y2', y(uniform));
    g.append('g').attr('transform', `translate(0,${height})`)
      .selectAll('text').data(d3.range(E)).join('text').attr('class', 'tick-label')
      .attr('x', e => x(e) + x.bandwidth() / 2).attr('y', 11).attr('text-anchor', 'middle').text(e => e);
  });
  container.prepend(exportBar(container, 'expert load', () => [['layer', 'expert', 'token_count'],
    ...load.flatMap((counts, layer) => Array.from(counts, (c, e) => [layer, e, c]))]));
}
