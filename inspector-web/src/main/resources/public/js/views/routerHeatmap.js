// Router heatmap for one layer: tokens x experts, colour = router probability, chosen experts outlined, near ties
// (the K-th and (K+1)-th logits closer than the margin) flagged above the column and dashed on the runner-up.
import { el, fmt, pct } from '../dom.js';
import { probabilityScale } from '../colors.js';
import { cellWidth } from '../layout.js';
import { nearTies, runnerUp } from '../routing.js';
import { CELL_H, PINNED_PAD, pinnedFrame, tokenAxis, tokenBands } from './chart.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';
import { syncScroll } from '../scrollSync.js';

import { exportBar } from '../export.js';

const d3 = window.d3;

export function drawRouterHeatmap(container, summary, layer, ctx) {
  performance.mark('router-heatmap-start');
  const { tokens, experts: E, k } = summary;
  const row = summary.routing[layer];
  const T = tokens.length;
  const margin = { top: 84, right: 70, bottom: 8, left: 74 };
  const cw = cellWidth(container.clientWidth, T, margin.left);
  const color = probabilityScale();
  const ties = nearTies(row);
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, 'router probability', d3.format('.0%')),
    el('span', { class: 'legend-note' },
      el('span', { class: 'outline-key' }), ` chosen (top ${k}) · `,
      el('span', { class: 'tie-key', text: '▼' }),
      ` near tie, margin < ${summary.nearTieMargin}: ${ties.length} of ${T} tokens at layer ${layer}`)));
  // The expert labels stay beside the cells when the columns scroll with the other token views.
  const { labels: pinned, g, scroller } = pinnedFrame(container, T * cw, E * CELL_H, margin,
    `router heatmap of layer ${layer}, ${T} tokens by ${E} experts`);
  g.attr('data-layer', layer);

  tokenAxis(g, tokens, cw, ctx.onToken, -18);
  g.append('g').selectAll('text').data(ties.map(t => ({ ...row[t], token: t }))).join('text')
    .attr('class', 'tie-flag').attr('data-token', d => d.token)
    .attr('x', d => d.token * cw + cw / 2).attr('y', -5).attr('text-anchor', 'middle')
    .text('▼')
    .append('title').text(d => `near tie: margin ${fmt(d.margin)} between the ${k}th and ${k + 1}th router logits`);
  const labels = pinned.append('g').selectAll('g').data(d3.range(E)).join('g')
    .attr('transform', e => `translate(-8,${e * CELL_H})`);
  labels.append('rect').attr('x', -12).attr('y', 5).attr('width', 10).attr('height', 10).attr('fill', e => ctx.colors(e));
  labels.append('text').attr('class', 'expert-label').attr('x', -16).attr('y', CELL_H / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'end').text(e => `expert ${e}`);

  const cells = row.flatMap((c, t) => {
    const up = c.nearTie ? runnerUp(c) : undefined;
    return Array.from(c.probs, (p, e) => ({
      token: t, expert: e, prob: p, cell: c, rank: c.experts.indexOf(e), runnerUp: e === up,
    }));
  });
  g.append('g').selectAll('rect').data(cells).join('rect')
    .attr('class', d => `cell${d.rank >= 0 ? ' chosen' : ''}${d.runnerUp ? ' runner-up' : ''}`)
    .attr('data-token', d => d.token).attr('data-expert', d => d.expert).attr('data-layer', layer)
    .attr('data-prob', d => d.prob.toFixed(4))
    .attr('x', d => d.token * cw + 0.5).attr('y', d => d.expert * CELL_H + 0.5)
    .attr('width', cw - 2).attr('height', CELL_H - 2)
    .attr('fill', d => color(d.prob))
    .on('mousemove', (event, d) => showTip(event, ...describe(d, tokens[d.token], layer, k)))
    .on('mouseleave', hideTip)
    .on('click', (_, d) => ctx.onToken(d.token));
  tokenBands(g, tokens, cw, E * CELL_H);
  syncScroll(scroller, cw, PINNED_PAD);
  container.prepend(exportBar(container, `router heatmap layer ${layer}`, () => [['layer', 'position', 'token', 'expert', 'probability', 'chosen_rank'],
    ...row.flatMap((c, t) => Array.from(c.probs, (p, e) => [layer, t, tokens[t].text, e, p.toFixed(6), c.experts.indexOf(e) + 1 || '']))]));
  container.dataset.drawMs = String(performance.measure('router-heatmap-draw', 'router-heatmap-start').duration);
}

function describe(d, token, layer, k) {
  const status = d.rank >= 0 ? `chosen (#${d.rank + 1} of ${k}), routing weight ${pct(d.cell.weights[d.rank])}`
    : d.runnerUp ? 'not chosen: runner-up in a near tie' : 'not chosen';
  return [
    el('div', { class: 'tip-title' }, el('span', { class: 'tok', text: token.text }), ` #${token.position} · layer ${layer}`),
    el('div', { text: `expert ${d.expert}: router probability ${pct(d.prob)}` }),
    el('div', { text: status }),
    el('div', { class: 'tip-sub', text: `margin ${fmt(d.cell.margin)}${d.cell.nearTie ? ' (near tie)' : ''}` }),
  ];
}
