// Routing map: tokens x layers, each cell the first-choice expert's colour and number, the later choices as stripes
// with their numbers (Mixtral paper, Figure 8, for every layer at once). The cells are one canvas image; the axes,
// numbers and selection are SVG on top. Above it, an overview of every token with a brush that scrolls the map.
// Keyboard: the map takes focus; arrows move a cursor between tokens and layers, Enter opens that token's detail.
import { el, pct } from '../dom.js';
import { CELL_H, PINNED_PAD, pinLabels, tokenAxis, tokenBands } from './chart.js';
import { expertLegend } from './legend.js';
import { textOn } from '../colors.js';
import { cellAt, cellWidth, DIGIT_WIDTH, moveCursor, stripes } from '../layout.js';
import { fillRect, paintRouting } from '../raster.js';
import { byProbability } from '../routing.js';
import { onScroll, scrollToToken, syncScroll } from '../scrollSync.js';
import { hideTip, showTip } from './tooltip.js';

import { exportBar } from '../export.js';

const d3 = window.d3;
const MARGIN = { top: 70, right: 70, bottom: 8, left: 44 };
const OVERVIEW_ROW = 4;
let placeBrush = () => {};
onScroll((_, node) => { if (node.classList.contains('routing-scroll')) placeBrush(); });

export function drawRoutingMap(container, summary, ctx) {
  performance.mark('routing-map-start');
  const { tokens, layers, routing } = summary;
  const T = tokens.length;
  const cw = cellWidth(container.clientWidth, T, MARGIN.left);
  const rgbOf = rgbTable(summary.experts, ctx.colors);
  const width = T * cw;
  const height = layers * CELL_H;
  const scroller = el('div', { class: 'chart-scroll routing-scroll' });
  const stack = el('div', { class: 'stack', 'data-tokens': T, 'data-layers': layers, 'data-row': CELL_H });
  scroller.append(stack);
  container.replaceChildren(expertLegend(summary.experts, ctx.colors,
    'big square and number: first choice · stripe and small number: second choice · white square: near tie'));

  const canvas = el('canvas', { class: 'cells', width, height, 'aria-hidden': 'true' });
  canvas.style.left = `${PINNED_PAD}px`;
  canvas.style.top = `${MARGIN.top}px`;
  const ctx2d = canvas.getContext('2d');
  const image = ctx2d.createImageData(width, height);
  // What the canvas shows, in the DOM for readers and tests: the near-tie marks it drew.
  container.dataset.nearTies = String(paintRouting(image.data, width, routing, cw, CELL_H, rgbOf, stripes));
  ctx2d.putImageData(image, 0, 0);

  const svg = d3.select(stack).append('svg')
    .attr('width', width + PINNED_PAD + MARGIN.right).attr('height', height + MARGIN.top + MARGIN.bottom)
    .attr('role', 'grid').attr('tabindex', 0).attr('class', 'routing-svg')
    .attr('aria-label', `routing map, ${T} tokens by ${layers} layers: arrow keys move, Enter opens the token`);
  stack.prepend(canvas);
  const g = svg.append('g').attr('transform', `translate(${PINNED_PAD},${MARGIN.top})`);
  tokenAxis(g, tokens, cw, ctx.onToken);
  // The layer labels stay beside the map when its columns scroll.
  const { row: pinned, labels } = pinLabels(scroller, MARGIN.left, height + MARGIN.top + MARGIN.bottom, MARGIN.top);
  labels.append('g').selectAll('text').data(d3.range(layers)).join('text')
    .attr('class', 'layer-label').attr('data-layer', l => l)
    .attr('x', -6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .text(l => `L${l}`)
    .on('click', (_, l) => ctx.onLayer(l));

  const cells = routing.flatMap((row, l) => row.map((cell, t) => ({ ...cell, layer: l, token: t })));
  if (cw >= DIGIT_WIDTH) {
    g.append('g').attr('class', 'digits').selectAll('text').data(cells).join('text').attr('class', 'cell-text')
      .attr('data-token', d => d.token).attr('data-layer', d => d.layer).attr('data-expert', d => d.experts[0])
      .attr('x', d => d.token * cw + (cw - 1) / 2).attr('y', d => d.layer * CELL_H + 7).attr('dy', '0.3em')
      .attr('text-anchor', 'middle').attr('fill', d => textOn(ctx.colors(d.experts[0])))
      .text(d => d.experts[0]);
    g.append('g').attr('class', 'digits second').selectAll('text')
      .data(cells.flatMap(d => stripes(cw, d.experts.slice(1)).filter(s => s.width >= 6)
        .map(s => ({ ...s, token: d.token, layer: d.layer }))))
      .join('text').attr('class', 'stripe-text')
      .attr('data-token', d => d.token).attr('data-layer', d => d.layer).attr('data-expert', d => d.expert)
      .attr('x', d => d.token * cw + d.x + d.width / 2).attr('y', d => d.layer * CELL_H + CELL_H - 6).attr('dy', '0.3em')
      .attr('text-anchor', 'middle').attr('fill', d => textOn(ctx.colors(d.expert)))
      .text(d => d.expert);
  }
  tokenBands(g, tokens, cw, height);
  g.append('g').attr('class', 'layer-bands').selectAll('rect').data(d3.range(layers)).join('rect')
    .attr('class', 'layer-band').attr('data-layer', l => l)
    .attr('x', -2).attr('y', l => l * CELL_H).attr('width', width + 3).attr('height', CELL_H - 1);
  const cursor = g.append('rect').attr('class', 'cursor').attr('width', cw + 1).attr('height', CELL_H + 1).attr('hidden', true);

  const at = event => {
    const [x, y] = d3.pointer(event, g.node());
    const c = cellAt(x, y, cw, CELL_H, T, layers);
    return c && { token: c.column, layer: c.row };
  };
  g.insert('rect', '.bands').attr('class', 'hit').attr('width', width).attr('height', height)
    .on('mousemove', event => {
      const c = at(event);
      if (c) showTip(event, ...describe({ ...routing[c.layer][c.token], layer: c.layer }, tokens[c.token], ctx));
      else hideTip();
    })
    .on('mouseleave', hideTip)
    .on('click', event => {
      const c = at(event);
      if (c) { ctx.onLayer(c.layer); ctx.onToken(c.token); }
    });

  let focus = { token: ctx.selectedToken ?? 0, layer: ctx.selectedLayer };
  const showCursor = () => {
    cursor.attr('hidden', null).attr('x', focus.token * cw - 1).attr('y', focus.layer * CELL_H - 1)
      .attr('data-token', focus.token).attr('data-layer', focus.layer);
    svg.attr('aria-label', `routing map: token #${focus.token} ${tokens[focus.token].text}, layer ${focus.layer}, `
      + `experts ${routing[focus.layer][focus.token].experts.join(' and ')}`);
  };
  svg.on('focus', () => {
    focus = { token: ctx.selectedToken ?? 0, layer: ctx.selectedLayer };
    showCursor();
  }).on('blur', () => cursor.attr('hidden', true));
  svg.on('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      ctx.onLayer(focus.layer);
      ctx.onToken(focus.token, { open: true });
      return;
    }
    const next = moveCursor(focus, event.key, T, layers);
    if (!next) return;
    event.preventDefault();
    focus = next;
    showCursor();
    ctx.onCursor?.(focus);
  });

  container.append(drawOverview(summary, rgbOf, scroller, cw, container.clientWidth), pinned);
  syncScroll(scroller, cw, PINNED_PAD);
  container.prepend(exportBar(container, 'routing map', () => [['layer', 'position', 'token', 'experts', 'weights', 'margin', 'near_tie'],
    ...routing.flatMap((row, l) => row.map((c, t) => [l, t, tokens[t].text, c.experts, c.weights.map(w => w.toFixed(6)), c.margin, c.nearTie]))]));
  // For ./mixtral inspector-bench: this draw's time, and (the mark's startTime) when the page first had its map.
  performance.mark('routing-map-drawn');
  canvas.dataset.drawMs = String(performance.measure('routing-map-draw', 'routing-map-start', 'routing-map-drawn').duration);
}

/** Every token at once, a pixel column or more each, with a brush over the tokens the map shows; dragging it scrolls. */
function drawOverview(summary, rgbOf, scroller, cw, panelWidth) {
  const { tokens, layers, routing } = summary;
  const T = tokens.length;
  const box = el('div', { class: 'overview', 'aria-label': 'overview of every token; drag the window to scroll the map' });
  const width = Math.max(100, (panelWidth || 900) - 16);
  const height = layers * OVERVIEW_ROW;
  const canvas = el('canvas', { width, height, 'aria-hidden': 'true' });
  const c2d = canvas.getContext('2d');
  const image = c2d.createImageData(width, height);
  for (let x = 0; x < width; x++) {
    const t = Math.min(T - 1, Math.floor((x * T) / width));
    for (let l = 0; l < layers; l++) fillRect(image.data, width, x, l * OVERVIEW_ROW, 1, OVERVIEW_ROW, rgbOf(routing[l][t].experts[0]));
  }
  c2d.putImageData(image, 0, 0);
  const svg = d3.select(box).append('svg').attr('width', width).attr('height', height + 4).attr('class', 'overview-brush');
  box.prepend(canvas);
  const x = d3.scaleLinear([0, T], [0, width]);
  const shown = () => {
    const first = scroller.scrollLeft / cw;
    const count = Math.max(1, (scroller.clientWidth - PINNED_PAD) / cw);
    return [first, Math.min(T, first + count)];
  };
  let moving = false;
  const brush = d3.brushX().extent([[0, 0], [width, height + 4]])
    .on('brush end', event => {
      if (!event.sourceEvent || !event.selection) return;
      moving = true;
      scrollToToken(x.invert(event.selection[0]));
      moving = false;
    });
  const gb = svg.append('g').attr('class', 'brush').call(brush);
  gb.selectAll('.handle').remove();
  const place = () => {
    const [a, b] = shown();
    if (!moving) gb.call(brush.move, [x(a), x(b)]);
    box.dataset.first = String(Math.round(a));
    box.dataset.last = String(Math.round(b) - 1);
  };
  placeBrush = place;
  requestAnimationFrame(place);
  return box;
}

/** expert -> [r, g, b] of its colour, computed once per draw. */
function rgbTable(experts, colors) {
  const table = d3.range(experts).map(e => { const c = d3.rgb(colors(e)); return [c.r, c.g, c.b]; });
  return e => table[e];
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
