// Attention pattern of one layer and head: query tokens (rows) x key tokens (columns), fetched on demand because the
// server re-runs the model to record it. Causal: a query only sees keys at or before it. The cells are one canvas
// image (512 x 512 tokens are a quarter of a million cells); the token axes and the selected token are SVG on top.
import { el } from '../dom.js';
import { colorTable, probabilityScale } from '../colors.js';
import { attentionCell, cellAt, labelEvery, shorten } from '../layout.js';
import { paintAttention } from '../raster.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';

import { exportBar } from '../export.js';

const d3 = window.d3;
const MARGIN = { top: 70, right: 70, bottom: 8, left: 96 };

export function drawAttention(container, view, ctx) {
  performance.mark('attention-start');
  const { tokens, probs } = view;
  const T = tokens.length;
  const cw = attentionCell(container.clientWidth, T, MARGIN.left);
  const color = probabilityScale();
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, 'attention probability', d3.format('.0%')),
    el('span', { class: 'legend-note', text: `layer ${view.layer}, head ${view.head} of ${view.heads}: row = query token, `
      + `column = key token it attends to; grey: a later key, masked` })));
  const size = T * cw;
  const stack = el('div', { class: 'stack', 'data-tokens': T, 'data-cell': cw });
  container.append(stack);
  const canvas = el('canvas', { class: 'cells', width: size, height: size, 'aria-hidden': 'true' });
  canvas.style.left = `${MARGIN.left}px`;
  canvas.style.top = `${MARGIN.top}px`;
  const c2d = canvas.getContext('2d');
  const image = c2d.createImageData(size, size);
  const masked = d3.rgb(getComputedStyle(container).getPropertyValue('--masked').trim() || '#f3f4f6');
  paintAttention(image.data, probs, cw, colorTable(color, 1024), [masked.r, masked.g, masked.b]);
  c2d.putImageData(image, 0, 0);
  stack.append(canvas);

  const svg = d3.select(stack).append('svg')
    .attr('width', size + MARGIN.left + MARGIN.right).attr('height', size + MARGIN.top + MARGIN.bottom)
    .attr('role', 'img').attr('aria-label', `attention of layer ${view.layer} head ${view.head}, ${T} by ${T} tokens`);
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`)
    .attr('data-layer', view.layer).attr('data-head', view.head);
  const every = labelEvery(cw);
  const labelled = tokens.filter(t => t.position % every === 0);
  g.append('g').selectAll('text').data(labelled).join('text')
    .attr('class', 'token-label').attr('data-token', d => d.position)
    .attr('transform', d => `translate(${d.position * cw + cw / 2},-6) rotate(-55)`)
    .text(d => (every > 1 ? `${d.position} ` : '') + shorten(d.text, every > 1 ? 6 : 12))
    .on('click', (_, d) => ctx.onToken(d.position));
  g.append('g').selectAll('text').data(labelled).join('text')
    .attr('class', 'token-label').attr('data-token', d => d.position)
    .attr('x', -6).attr('y', d => d.position * cw + cw / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .text(d => (every > 1 ? `${d.position} ` : '') + shorten(d.text, every > 1 ? 6 : 12))
    .on('click', (_, d) => ctx.onToken(d.position));
  const at = event => {
    const [x, y] = d3.pointer(event, g.node());
    const c = cellAt(x, y, cw, cw, T, T);
    return c && { q: c.row, k: c.column };
  };
  g.append('rect').attr('class', 'hit').attr('width', size).attr('height', size)
    .on('mousemove', event => {
      const d = at(event);
      if (!d) return hideTip();
      const p = probs[d.q][d.k];
      return showTip(event,
        el('div', {}, el('span', { class: 'tok', text: tokens[d.q].text }), ` #${d.q} → `,
          el('span', { class: 'tok', text: tokens[d.k].text }), ` #${d.k}`),
        d.k > d.q ? 'a future token: masked' : `${(100 * p).toFixed(1)}% of query #${d.q}'s attention on key #${d.k}`);
    })
    .on('mouseleave', hideTip)
    .on('click', event => { const d = at(event); if (d) ctx.onToken(d.q); });
  g.append('g').attr('class', 'attention-selection').selectAll('rect').data([0, 1]).join('rect')
    .attr('class', 'selection-line').attr('hidden', true);
  canvas.dataset.drawMs = String(performance.measure('attention-draw', 'attention-start').duration);
  container.prepend(exportBar(container, `attention layer ${view.layer} head ${view.head}`, () => [['query', 'key', 'probability'],
    ...probs.flatMap((row, q) => Array.from(row, (p, k) => [q, k, p]).filter(r => r[1] <= q))]));
  markAttentionToken(container, ctx.selectedToken);
}

/** Frames the selected token's row (as query) and column (as key). */
export function markAttentionToken(container, token) {
  const stack = container.querySelector('.stack');
  if (!stack || token === null || token === undefined) return;
  const cw = Number(stack.dataset.cell);
  const T = Number(stack.dataset.tokens);
  d3.select(stack).selectAll('.selection-line').attr('hidden', null)
    .data([[0, token * cw, T * cw, cw], [token * cw, 0, cw, T * cw]])
    .attr('x', d => d[0] - 1).attr('y', d => d[1] - 1).attr('width', d => d[2] + 2).attr('height', d => d[3] + 2);
  stack.dataset.selected = String(token);
}
