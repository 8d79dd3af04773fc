// The Mixtral paper's Figure 7 for labelled traces (GET /api/figure7): one panel per layer shown (of a deep model
// some, js/layerChoice.js), experts down the side (their colour and number), one bar per label within each expert,
// the label and share written at the bar's end, and the even split 1/E as a dashed line. Shares are the server's:
// each label's top-K assignments per expert, a layer's shares summing to 1.
import { el } from '../dom.js';
import { textOn } from '../colors.js';
import { exportBar } from '../export.js';
import { formatLayers } from '../layerChoice.js';
import { hideTip, showTip } from './tooltip.js';

const d3 = window.d3;
const BAR = 12;
const GAP = 6;
const WIDTH = 190;
/** One decimal always: the shares compare with each other and with 1/E (12.5%), and lesson 8 quotes them so. */
const pct = p => `${(100 * p).toFixed(1)}%`;

/**
 * Bars top to bottom within each expert: the labels in the order the server gave them. `shown`: the layers drawn,
 * ascending (js/layerChoice.js); the CSV has the same layers as the picture.
 */
export function drawFigure7(container, view, colors, shown) {
  const { layers, experts: E, uniform, labels } = view;
  if (!labels.length) {
    container.replaceChildren(el('p', { class: 'muted', text: 'No trace has a label yet: give the trace shown a label '
      + '(“Label this trace”, beside its id), then another trace another label.' }));
    return;
  }
  const G = labels.length;
  const rowH = G * BAR + GAP;
  const top = Math.max(2 * uniform, d3.max(labels.flatMap(c => c.shares.flat())));
  const x = d3.scaleLinear([0, top], [0, WIDTH]).nice();
  const margin = { top: 20, right: 74, bottom: 22, left: 24 };
  const which = shown.length === layers ? `all ${layers}` : `${formatLayers(shown)} of ${layers}`;
  const counted = labels.map(c => `${c.label}: ${c.traces.length} trace${c.traces.length === 1 ? '' : 's'}, ${c.tokens} tokens`);
  container.replaceChildren(el('p', { class: 'legend-note figure7-note', text: `${counted.join(' · ')}. Within each `
    + `expert (its colour and number at the left) one bar per label, top to bottom: ${labels.map(c => c.label).join(', ')}; `
    + `a bar is the label's share of the top-${view.k} assignments at that layer. Dashed: an even split, 1/${E} = `
    + `${pct(uniform)}. Layers shown: ${which}.` }));
  if (view.skipped.length) {
    container.append(el('p', { class: 'legend-note', text: `Left out: ${view.skipped.map(s => `${s.id} (${s.label}): `
      + s.reason).join('; ')}` }));
  }
  const grid = el('div', { class: 'multiples figure7-panels' });
  container.append(grid);
  for (const layer of shown) {
    const panel = el('div', { class: 'multiple figure7-panel', 'data-layer': layer },
      el('span', { class: 'multiple-title', text: `layer ${layer}` }));
    grid.append(panel);
    const svg = d3.select(panel).append('svg').attr('width', WIDTH + margin.left + margin.right)
      .attr('height', E * rowH + margin.top + margin.bottom).attr('role', 'img')
      .attr('aria-label', `layer ${layer}: share of assignments per expert by label`);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    // drawn first, so that the bars and their text lie over the line
    g.append('line').attr('class', 'uniform').attr('x1', x(uniform)).attr('x2', x(uniform))
      .attr('y1', -4).attr('y2', E * rowH - GAP + 2);
    const rows = g.selectAll('g.expert').data(d3.range(E)).join('g').attr('class', 'expert')
      .attr('transform', e => `translate(0,${e * rowH})`);
    rows.append('rect').attr('class', 'expert-swatch').attr('x', -22).attr('width', 18).attr('height', G * BAR - 1)
      .attr('fill', e => colors(e));
    rows.append('text').attr('class', 'expert-digit').attr('x', -13).attr('y', (G * BAR) / 2).attr('dy', '0.35em')
      .attr('text-anchor', 'middle').attr('fill', e => textOn(colors(e))).text(e => e);
    const bars = rows.selectAll('g.bar').data(e => labels.map((c, i) => ({ e, i, label: c.label, share: c.shares[layer][e] })))
      .join('g').attr('class', 'bar').attr('transform', d => `translate(0,${d.i * BAR})`)
      .on('mousemove', (event, d) => showTip(event, `layer ${layer}, expert ${d.e}, label ${d.label}`,
        `${pct(d.share)} of the label's assignments (${(d.share / uniform).toFixed(2)}× an even split)`))
      .on('mouseleave', hideTip);
    bars.append('rect').attr('class', 'share').attr('data-layer', layer).attr('data-expert', d => d.e)
      .attr('data-label', d => d.label).attr('data-share', d => d.share.toFixed(6))
      .attr('width', d => Math.max(0.5, x(d.share))).attr('height', BAR - 2).attr('fill', d => colors(d.e));
    bars.append('text').attr('class', 'share-text').attr('x', d => x(d.share) + 3).attr('y', (BAR - 2) / 2)
      .attr('dy', '0.35em').text(d => `${d.label} ${pct(d.share)}`);
    g.append('g').attr('class', 'axis').attr('transform', `translate(0,${E * rowH - GAP + 2})`)
      .call(d3.axisBottom(x).ticks(4, '.0%').tickSizeOuter(0));
  }
  const name = `figure 7 ${labels.map(c => c.label).join(' ')}`;
  container.prepend(exportBar(container, name, () => [['label', 'layer', 'expert', 'share', 'token_count', 'trace_ids'],
    ...labels.flatMap(c => shown.flatMap(l => c.shares[l].map((s, e) => [c.label, l, e, s, c.tokens, c.traces])))]));
}
