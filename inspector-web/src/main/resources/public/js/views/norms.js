// Activation norms: layers x tokens heatmap of the L2 norm of one recorded tensor (the server's trace format names
// which, in normViews, and says what each is).
import { el } from '../dom.js';
import { normScale } from '../colors.js';
import { cellWidth } from '../layout.js';
import { CELL_H, PINNED_PAD, pinnedFrame, tokenAxis, tokenBands } from './chart.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';
import { syncScroll } from '../scrollSync.js';

import { exportBar } from '../export.js';

const d3 = window.d3;

/** @param help what the tensor is, from GET /api/trace-format */
export function drawNorms(container, summary, tensor, help, ctx) {
  const { tokens, layers } = summary;
  const rows = summary.norms[tensor];
  const T = tokens.length;
  const margin = { top: 70, right: 70, bottom: 8, left: 44 };
  const cw = cellWidth(container.clientWidth, T, margin.left);
  const color = normScale(d3.max(rows.flatMap(r => Array.from(r))) || 1);
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, `‖${tensor}‖₂`, d3.format('.3~s')),
    el('span', { class: 'legend-note', text: help || '' })));
  const { labels, g, scroller } = pinnedFrame(container, T * cw, layers * CELL_H, margin,
    `${tensor} norms, ${layers} layers by ${T} tokens`);
  tokenAxis(g, tokens, cw, ctx.onToken);
  labels.append('g').selectAll('text').data(d3.range(layers)).join('text')
    .attr('class', 'layer-label').attr('x', -6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'end').text(l => `L${l}`);
  const cells = rows.flatMap((r, l) => Array.from(r, (v, t) => ({ layer: l, token: t, value: v })));
  g.append('g').selectAll('rect').data(cells).join('rect')
    .attr('class', 'cell').attr('data-token', d => d.token).attr('data-layer', d => d.layer)
    .attr('data-value', d => d.value.toFixed(4))
    .attr('x', d => d.token * cw).attr('y', d => d.layer * CELL_H)
    .attr('width', cw - 1).attr('height', CELL_H - 1).attr('fill', d => color(d.value))
    .on('mousemove', (event, d) => showTip(event,
      el('div', { class: 'tip-title' }, el('span', { class: 'tok', text: tokens[d.token].text }),
        ` #${d.token} · layer ${d.layer}`),
      `‖${tensor}‖₂ = ${d.value.toFixed(3)}`))
    .on('mouseleave', hideTip)
    .on('click', (_, d) => ctx.onToken(d.token));
  tokenBands(g, tokens, cw, layers * CELL_H);
  syncScroll(scroller, cw, PINNED_PAD);
  container.prepend(exportBar(container, `norms ${tensor}`, () => [['layer', 'position', 'token', 'norm'],
    ...cells.map(d => [d.layer, d.token, tokens[d.token].text, d.value])]));
}
