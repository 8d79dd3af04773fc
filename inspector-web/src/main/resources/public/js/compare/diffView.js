// The diff of trace B against trace A (GET /api/compare): A's routing map with B's flips overlaid. A flip the report
// calls a tie (within the tie margin; with replay: a choice the model itself makes given B's earlier routing) gets
// "≈" and a dashed frame, any other flip "✕" and a solid frame: glyph and line, not colour alone. Beside it: each
// layer's agreement, each token's KL(A || B) of the next-token distribution, the first divergence and a jump to it.
// When B chooses another number of experts (a what-if of k), every set is changed: the headline says K differs and
// the tooltip whether B kept A's experts; routing weights are then listed as not comparable.
import { el, fmt, pct } from '../dom.js';
import { cellWidth } from '../layout.js';
import { CELL_H, pinnedFrame, tokenAxis, tokenBands } from '../views/chart.js';
import { predictionList } from '../views/predictions.js';
import { hideTip, showTip } from '../views/tooltip.js';

const d3 = window.d3;
export const GLYPH = { tie: '≈', real: '✕' };

/** Flips by "layer:token". */
function flipsBySite(report) {
  return new Map(report.flips.map(f => [`${f.layer}:${f.token}`, f]));
}

/** "A 2, B 3" when A and B choose a different number of experts per token at some layer, else null. */
function otherK(report) {
  const l = report.routing.find(x => x.kExpected !== x.kActual);
  return l ? `A ${l.kExpected}, B ${l.kActual}` : null;
}

function headline(view) {
  const r = view.report;
  const ties = r.flips.filter(f => f.tie).length;
  const verdict = r.passed ? 'B agrees with A' : 'B diverges from A';
  const k = otherK(r);
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  return `${verdict}: ${count(r.flips.length, 'routing flip', 'routing flips')} (${count(ties, 'tie', 'ties')}, `
    + `${r.flips.length - ties} real)`
    + `${k ? ` · K differs (${k}): every expert set counts as changed` : ''} · tie margin `
    + `${Number(view.tieMargin.toPrecision(3))}${view.replayed ? ' · B\'s routing replayed through the served model' : ''}`;
}

/** Draws the diff; `summaryA` is A's trace summary (tokens, routing cells with margins), `ctx` the page's. */
export function drawDiff(container, view, summaryA, ctx) {
  const r = view.report;
  const tokens = summaryA.tokens.slice(0, view.positions);
  const T = tokens.length;
  const layers = r.routing.length;
  const flips = flipsBySite(r);
  const notes = [
    el('p', { class: 'diff-headline', 'data-passed': String(r.passed), text: headline(view) }),
    view.alignedByPosition ? el('p', { class: 'diff-aligned', text: `A and B are different prompts: compared `
      + `position by position over the first ${view.positions} tokens (routing and logits only, no replay).` }) : null,
    r.actualIntervention ? el('p', { class: 'muted', text: `B was made under ${r.actualIntervention}` }) : null,
    r.hint ? el('p', { class: 'muted', text: r.hint }) : null,
    r.notComparable.length ? el('p', { class: 'muted not-comparable', text: `Not comparable, ${r.notComparable[0].reason}: `
      + r.notComparable.map(n => n.name).join(', ') }) : null,
  ];
  const first = r.first || r.flips[0];
  const jump = first ? el('button', { type: 'button', id: 'jump-first', class: 'link',
    text: `Jump to the first divergence: layer ${first.layer}, token ${first.token}`
      + (r.first ? ` (${r.first.tensor}: ${r.first.what})` : ' (a tie)'),
    onclick: () => jumpTo(container, first.layer, first.token, ctx) }) : el('p', { class: 'muted', text: 'No divergence.' });
  container.replaceChildren(...notes.filter(Boolean), jump, el('div', { class: 'legend-note', text:
    `${GLYPH.real} real flip (solid frame) · ${GLYPH.tie} tie (dashed frame) · colour: A's first choice · `
    + 'right: share of tokens routed alike · bars below: KL(A‖B) of the next token' }));
  const chart = el('div', { class: 'chart diff-chart' });
  container.append(chart);

  const margin = { top: 70, right: 56, bottom: 60, left: 44 };
  const cw = cellWidth(container.clientWidth, T, margin.left + margin.right);
  // The layer and KL labels stay beside the cells when they scroll sideways.
  const { labels, g } = pinnedFrame(chart, T * cw, layers * CELL_H, margin,
    `diff map, ${T} tokens by ${layers} layers`);
  tokenAxis(g, tokens, cw, ctx.onToken);
  const byLayer = new Map(r.routing.map(x => [x.layer, x]));
  const cells = [];
  for (let l = 0; l < layers; l++) {
    for (let t = 0; t < T; t++) cells.push({ layer: l, token: t, a: summaryA.routing[l]?.[t], flip: flips.get(`${l}:${t}`) });
  }
  const cell = g.append('g').selectAll('g').data(cells).join('g')
    .attr('transform', d => `translate(${d.token * cw},${d.layer * CELL_H})`)
    .on('mousemove', (event, d) => showTip(event, ...describe(d, tokens[d.token])))
    .on('mouseleave', hideTip)
    .on('click', (_, d) => { ctx.onLayer(d.layer); ctx.onToken(d.token); });
  cell.append('rect').attr('class', 'diff-cell')
    .attr('data-token', d => d.token).attr('data-layer', d => d.layer)
    .attr('data-flip', d => (d.flip ? (d.flip.tie ? 'tie' : 'real') : null))
    .attr('width', cw - 1).attr('height', CELL_H - 1)
    .attr('fill', d => (d.a ? ctx.colors(d.a.experts[0]) : '#e5e7eb'))
    .attr('fill-opacity', d => (d.flip ? 1 : 0.35));
  cell.filter(d => d.flip).append('rect').attr('class', d => `flip-frame ${d.flip.tie ? 'tie' : 'real'}`)
    .attr('x', 1).attr('y', 1).attr('width', cw - 3).attr('height', CELL_H - 3);
  cell.filter(d => d.flip).append('text').attr('class', d => `flip-glyph ${d.flip.tie ? 'tie' : 'real'}`)
    .attr('x', (cw - 1) / 2).attr('y', CELL_H / 2).attr('dy', '0.35em').attr('text-anchor', 'middle')
    .text(d => GLYPH[d.flip.tie ? 'tie' : 'real']);
  labels.append('g').selectAll('text').data(d3.range(layers)).join('text').attr('class', 'layer-label')
    .attr('data-layer', l => l).attr('x', -6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'end').text(l => `L${l}`).on('click', (_, l) => ctx.onLayer(l));
  g.append('g').selectAll('text').data(d3.range(layers)).join('text').attr('class', 'agreement')
    .attr('data-layer', l => l).attr('x', T * cw + 6).attr('y', l => l * CELL_H + CELL_H / 2).attr('dy', '0.35em')
    .text(l => (byLayer.has(l) ? pct(byLayer.get(l).agreement) : '–'));
  if (view.perTokenKl) drawKl(g, labels, view.perTokenKl, cw, layers * CELL_H + 8, tokens);
  tokenBands(g, tokens, cw, layers * CELL_H);

  if (view.nextA || view.nextB) {
    container.append(el('div', { class: 'next-compare' },
      el('div', {}, el('h4', { text: 'Next token in A' }), view.nextA ? predictionList(view.nextA) : el('p', { class: 'muted', text: 'A has no logits' })),
      el('div', {}, el('h4', { text: 'Next token in B' }), view.nextB ? predictionList(view.nextB) : el('p', { class: 'muted', text: 'B has no logits' }))));
  }
}

function drawKl(g, labels, kl, cw, top, tokens) {
  const h = 40;
  const max = Math.max(1e-6, d3.max(kl.map(x => (Number.isFinite(x) ? x : 0))));
  const y = d3.scaleLinear().domain([0, max]).range([0, h]);
  const bars = g.append('g').attr('class', 'kl-bars').attr('transform', `translate(0,${top})`);
  bars.selectAll('rect').data(kl).join('rect').attr('class', 'kl-bar').attr('data-token', (_, t) => t)
    .attr('data-kl', x => x)
    .attr('x', (_, t) => t * cw + 1).attr('width', Math.max(1, cw - 2))
    .attr('y', 0).attr('height', x => (Number.isFinite(x) ? Math.max(x > 0 ? 1 : 0, y(x)) : h))
    .append('title').text((x, t) => `token #${t} ${tokens[t].text}: KL(A‖B) = ${fmt(x, 5)} nats`);
  labels.append('text').attr('class', 'muted').attr('x', -6).attr('y', top + 10).attr('text-anchor', 'end').text('KL');
}

function describe(d, token) {
  const lines = [el('div', { class: 'tip-title' }, el('span', { class: 'tok', text: token.text }),
    ` #${d.token} · layer ${d.layer}`)];
  if (d.a) lines.push(el('div', { text: `A chose ${d.a.experts.join(', ')} · router margin ${fmt(d.a.margin)}` }));
  if (d.flip && d.flip.actualExperts.length !== d.flip.expectedExperts.length) {
    const kept = d.flip.expectedExperts.every(e => d.flip.actualExperts.includes(e));
    lines.push(el('div', { text: `B chose ${d.flip.actualExperts.join(', ')} · ${GLYPH.real} changed set: K `
      + `${d.flip.expectedExperts.length} → ${d.flip.actualExperts.length}${kept ? ', A\'s experts kept' : ''}` }));
  } else if (d.flip) {
    lines.push(el('div', { text: `B chose ${d.flip.actualExperts.join(', ')} · `
      + `${d.flip.tie ? `${GLYPH.tie} tie` : `${GLYPH.real} real flip`} (margin ${fmt(d.flip.margin)})` }));
  } else {
    lines.push(el('div', { class: 'muted', text: 'B chose the same experts' }));
  }
  return lines;
}

/** Selects the cell's token and layer in every view and brings the diff cell into sight, marked. */
export function jumpTo(container, layer, token, ctx) {
  ctx.onLayer(layer);
  ctx.onToken(token);
  container.querySelectorAll('.diff-cell.current').forEach(n => n.classList.remove('current'));
  const target = container.querySelector(`.diff-cell[data-layer="${layer}"][data-token="${token}"]`);
  if (target) {
    target.classList.add('current');
    target.scrollIntoView({ block: 'center', inline: 'center' });
  }
}
