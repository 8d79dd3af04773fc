// What the model's routing learned on held-out text (GET /api/evidence, made by ./mixtral evidence): per layer, the
// trained weights beside random weights of the same shape and the chance level, and which expert each group's tokens
// choose first. Shape legend: L layers, G groups (languages and code), E experts.
import { textOn } from '../colors.js';
import { el, fmt, pct } from '../dom.js';
import { exportBar } from '../export.js';
import { gradientLegend } from './legend.js';
import { hideTip, showTip } from './tooltip.js';

const d3 = window.d3;

// What GET /api/evidence sends: the records of mixtral.evidence, keyed as evidence.json keys them. Generated from the
// records by EvidenceJsTest, which prints these blocks when they differ and checks every key this file spells.
/**
 * @typedef {object} EvidenceReport
 * @property {string} what
 * @property {string} command
 * @property {EvidenceReport.Model} model
 * @property {EvidenceReport.Heldout} heldout
 * @property {string[]} groups
 * @property {RoutingEvidence} trained
 * @property {RoutingEvidence} random
 * @property {EvidenceReport.Chance} chance
 */
/**
 * @typedef {object} EvidenceReport.Model
 * @property {number} layers
 * @property {number} experts
 * @property {number} top_k
 * @property {number} parameters
 * @property {string} safetensors_sha256
 */
/**
 * @typedef {object} EvidenceReport.Heldout
 * @property {number} window_tokens
 * @property {number} windows_per_source
 * @property {Object<string, number>} tokens
 * @property {string} manifest_sha256
 */
/**
 * @typedef {object} RoutingEvidence
 * @property {number[][][]} load [L][G][E]
 * @property {number[][][]} first_choice [L][G][E]
 * @property {number[]} mutual_information_bits [L]
 * @property {number[]} classifier_accuracy [L]
 * @property {number[]} repeat_first [L]
 * @property {number[][]} repeat_first_by_group [L][G]
 * @property {number[]} repeat_either [L]
 * @property {number[][]} repeat_either_by_group [L][G]
 */
/**
 * @typedef {object} EvidenceReport.Chance
 * @property {number} mutual_information_bits
 * @property {number} classifier_accuracy
 * @property {number} repeat_first
 * @property {number} repeat_either
 */

const GROUP_NAMES = { en: 'English', fr: 'French', de: 'German', es: 'Spanish', it: 'Italian', code: 'code' };
const WEIGHTS = { trained: 'trained', random: 'random weights, same shape' };

/** The per-layer measures, each drawn as trained and random bars per layer against its chance line. */
const MEASURES = [
  { key: 'mutual_information_bits', title: 'How much the first-choice expert tells about the group',
    unit: 'mutual information, bits', format: d3.format('.2f'), top: ev => Math.log2(ev.groups.length) },
  { key: 'classifier_accuracy', title: 'Group guessed from the first-choice expert alone',
    unit: 'accuracy', format: d3.format('.0%'), top: () => 1 },
  { key: 'repeat_first', title: 'Same first choice as the previous token',
    unit: 'share of consecutive pairs', format: d3.format('.0%'), top: () => 1 },
  { key: 'repeat_either', title: 'Shares an expert with the previous token',
    unit: 'share of consecutive pairs', format: d3.format('.0%'), top: () => 1 },
];

export function groupName(group) {
  return GROUP_NAMES[group] ?? group;
}

/**
 * The layer whose first-choice expert tells most about the group, in the trained model.
 * @param {EvidenceReport} ev
 */
export function bestLayer(ev) {
  return d3.maxIndex(ev.trained.mutual_information_bits);
}

/**
 * A few sentences for the model card: the best layer against random weights, and the strongest preference.
 * @param {EvidenceReport} ev
 */
export function learnedSummary(ev) {
  const l = bestLayer(ev);
  const G = ev.groups.length;
  const t = ev.trained;
  const r = ev.random;
  const E = t.first_choice[0][0].length;
  const best = mostTellingCell(t.first_choice);
  return [
    `In layer ${l} the first-choice expert tells ${fmt(t.mutual_information_bits[l], 2)} bits about which of the `
      + `${G} groups a token comes from (${fmt(Math.log2(G), 2)} would be certain); random weights of the same shape: `
      + `${fmt(r.mutual_information_bits[l], 2)} bits.`,
    `Guessing the group from that one expert is right ${pct(t.classifier_accuracy[l])} of the time (random weights `
      + `${pct(r.classifier_accuracy[l])}, chance ${pct(ev.chance.classifier_accuracy)}).`,
    `Strongest preference: in layer ${best.layer}, expert ${best.expert} is the first choice of ${pct(best.share)} of `
      + `${groupName(ev.groups[best.group])} tokens (${fmt(best.share * E, 1)}× an even share, ${fmt(best.lift, 1)}× its share `
      + `over all groups).`,
  ];
}

/**
 * The most telling cell of first-choice shares [L][G][E], ranked as docs/evidence.md and lesson 9 rank them
 * (mixtral.evidence.TellingCell, which a test holds this to): share * log2(share / the expert's share over all
 * groups). The largest share alone can be an expert busy for every group. Returns { layer, group, expert, share,
 * lift, weight }, the group as an index.
 */
export function mostTellingCell(firstChoice) {
  const E = firstChoice[0][0].length;
  let best = { weight: -Infinity };
  firstChoice.forEach((rows, layer) => {
    const groupShares = rows.map(shares);
    const overall = d3.range(E).map(e => d3.mean(groupShares, s => s[e]));
    groupShares.forEach((row, group) => row.forEach((share, expert) => {
      const weight = share > 0 ? share * Math.log2(share / overall[expert]) : 0;
      if (weight > best.weight) best = { weight, share, lift: share / overall[expert], layer, group, expert };
    }));
  });
  return best;
}

/** @param {EvidenceReport} ev */
export function drawLearned(container, ev) {
  container.replaceChildren(el('h3', { text: 'What it learned (held-out text)' }),
    el('ul', {}, learnedSummary(ev).map(s => el('li', { text: s }))));
}

/**
 * The whole section: where the numbers come from, the per-layer charts, and the group-by-expert heatmap.
 * @param {EvidenceReport} ev
 */
export function drawEvidence(container, ev, state, onChange, colors) {
  const tokens = Object.entries(ev.heldout.tokens)
    .map(([g, n]) => `${groupName(g)} ${Number(n).toLocaleString('en')}`).join(', ');
  const layerSelect = el('select', { id: 'evidence-layer' }, ev.trained.first_choice.map((_, l) =>
    el('option', { value: l, text: `layer ${l}${l === bestLayer(ev) ? ' (most informative)' : ''}` })));
  layerSelect.value = String(state.layer);
  layerSelect.addEventListener('change', e => onChange({ ...state, layer: Number(e.target.value) }));
  const weightSelect = el('select', { id: 'evidence-weights' }, Object.entries(WEIGHTS).map(([key, label]) =>
    el('option', { value: key, text: label })));
  weightSelect.value = state.weights;
  weightSelect.addEventListener('change', e => onChange({ ...state, weights: e.target.value }));
  const heatmap = el('div', { id: 'evidence-heatmap', class: 'chart' });
  const measures = el('div', { id: 'evidence-measures', class: 'chart' },
    el('div', { class: 'multiples' }, MEASURES.map(m => measureChart(ev, m))));
  measures.prepend(exportBar(measures, 'evidence per layer', () => [['measure', 'layer', 'trained', 'random', 'chance'],
    ...MEASURES.flatMap(m => ev.trained[m.key].map((v, l) => [m.key, l, v, ev.random[m.key][l], ev.chance[m.key]]))]));
  container.replaceChildren(
    el('p', { class: 'legend-note' }, `Measured by this project's Java model on held-out text it was not trained on: `
      + `${ev.heldout.windows_per_source} windows of ${ev.heldout.window_tokens} tokens per source (${tokens} tokens), `
      + 'the same statistics for random weights of the same shape beside them. To make them again, at the root of a '
      + 'clone of the repository: ', el('code', { id: 'evidence-command', text: ev.command }), '.'),
    el('div', { class: 'legend-row' }, swatch('trained', 'trained'), swatch('random', WEIGHTS.random),
      el('span', { class: 'legend-note' }, el('span', { class: 'chance-key' }), ' chance')),
    measures,
    el('h3', { text: 'First choices per group and expert' }),
    el('div', { class: 'control-row' }, el('label', { class: 'control' }, 'Layer ', layerSelect),
      el('label', { class: 'control' }, 'Weights ', weightSelect)),
    heatmap);
  drawGroupHeatmap(heatmap, ev, state.layer, state.weights, colors);
}

function swatch(kind, label) {
  return el('span', { class: 'swatch-item' }, el('span', { class: `swatch ${kind}` }), label);
}

/** One measure: per layer a trained and a random bar, and the chance level as a dashed line. */
function measureChart(ev, m) {
  const L = ev.trained[m.key].length;
  const width = Math.max(150, L * 30);
  const height = 90;
  const x = d3.scaleBand(d3.range(L), [0, width]).paddingInner(0.25);
  const inner = d3.scaleBand(['trained', 'random'], [0, x.bandwidth()]).padding(0.05);
  const chance = ev.chance[m.key];
  const highest = d3.max([chance, ...ev.trained[m.key], ...ev.random[m.key]]);
  const y = d3.scaleLinear([0, Math.min(m.top(ev), 1.15 * highest) || 1], [height, 0]).nice();
  const box = el('figure', { class: 'multiple measure', 'data-measure': m.key },
    el('figcaption', { class: 'multiple-title' }, el('strong', { text: m.title }), el('br'), m.unit));
  const svg = d3.select(box).append('svg').attr('width', width + 40).attr('height', height + 22)
    .attr('role', 'img').attr('aria-label', `${m.title} per layer, trained and random weights, chance ${m.format(chance)}`);
  const g = svg.append('g').attr('transform', 'translate(34,4)');
  g.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(3).tickFormat(m.format).tickSizeOuter(0));
  const bars = ['trained', 'random'].flatMap(weights => ev[weights][m.key].map((value, layer) => ({ weights, value, layer })));
  g.selectAll('rect').data(bars).join('rect')
    .attr('class', d => `bar ${d.weights}`)
    .attr('data-weights', d => d.weights).attr('data-layer', d => d.layer).attr('data-value', d => d.value)
    .attr('x', d => x(d.layer) + inner(d.weights)).attr('width', inner.bandwidth())
    .attr('y', d => y(Math.max(0, d.value))).attr('height', d => height - y(Math.max(0, d.value)))
    .on('mousemove', (event, d) => showTip(event, `layer ${d.layer}, ${WEIGHTS[d.weights]}`,
      `${m.unit}: ${m.format(d.value)} (chance ${m.format(chance)})`))
    .on('mouseleave', hideTip);
  g.append('line').attr('class', 'chance').attr('data-value', chance)
    .attr('x1', 0).attr('x2', width).attr('y1', y(chance)).attr('y2', y(chance));
  g.append('g').attr('transform', `translate(0,${height})`)
    .selectAll('text').data(d3.range(L)).join('text').attr('class', 'tick-label')
    .attr('x', l => x(l) + x.bandwidth() / 2).attr('y', 12).attr('text-anchor', 'middle').text(l => `L${l}`);
  return box;
}

/** Rows: groups; columns: experts; colour: the share of the group's tokens whose first choice is that expert. */
function drawGroupHeatmap(container, ev, layer, weights, colors) {
  const rows = ev[weights].first_choice[layer].map(shares);
  const G = rows.length;
  const E = rows[0].length;
  const cw = 46;
  const ch = 24;
  const margin = { top: 34, right: 10, bottom: 6, left: 74 };
  // One scale for every layer and both weights, so colours compare across the selectors.
  const max = d3.max(['trained', 'random'].flatMap(w => ev[w].first_choice.flat().flatMap(shares)));
  const color = d3.scaleSequential(d3.interpolateYlOrRd).domain([0, max]);
  container.replaceChildren(el('div', { class: 'legend-row' },
    gradientLegend(color, 'share of the group\'s first choices', d3.format('.0%')),
    el('span', { class: 'legend-note', text: `an even share is 1/${E} = ${pct(1 / E)}; each row sums to 100%` })));
  const svg = d3.select(container).append('svg')
    .attr('width', margin.left + E * cw + margin.right).attr('height', margin.top + G * ch + margin.bottom)
    .attr('role', 'img').attr('aria-label', `first-choice share, ${G} groups by ${E} experts, layer ${layer}, ${weights}`);
  const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`)
    .attr('data-layer', layer).attr('data-weights', weights);
  g.append('text').attr('class', 'expert-label').attr('x', -8).attr('y', -9).attr('text-anchor', 'end').text('expert');
  const heads = g.append('g').selectAll('g').data(d3.range(E)).join('g')
    .attr('transform', e => `translate(${e * cw + cw / 2},-9)`);
  heads.append('rect').attr('x', -13).attr('y', -9).attr('width', 10).attr('height', 10).attr('fill', e => colors(e));
  heads.append('text').attr('class', 'expert-label').attr('x', 1).attr('dy', '0.05em').text(e => e);
  g.append('g').selectAll('text').data(ev.groups).join('text').attr('class', 'group-label')
    .attr('x', -8).attr('y', (_, i) => i * ch + ch / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .text(groupName);
  const cells = rows.flatMap((row, gi) => row.map((share, expert) => ({ group: ev.groups[gi], gi, expert, share })));
  g.append('g').selectAll('rect').data(cells).join('rect')
    .attr('class', 'cell').attr('data-group', d => d.group).attr('data-expert', d => d.expert)
    .attr('data-share', d => d.share.toFixed(4))
    .attr('x', d => d.expert * cw + 0.5).attr('y', d => d.gi * ch + 0.5).attr('width', cw - 2).attr('height', ch - 2)
    .attr('fill', d => color(d.share))
    .on('mousemove', (event, d) => showTip(event, `${groupName(d.group)}, expert ${d.expert}, layer ${layer}`,
      `first choice of ${pct(d.share)} of the group's tokens (${fmt(d.share * E, 1)}× an even share), ${WEIGHTS[weights]}`))
    .on('mouseleave', hideTip);
  g.append('g').selectAll('text').data(cells).join('text').attr('class', 'cell-text')
    .attr('x', d => d.expert * cw + cw / 2 - 1).attr('y', d => d.gi * ch + ch / 2).attr('dy', '0.35em')
    .attr('text-anchor', 'middle').attr('fill', d => textOn(color(d.share)))
    .text(d => d3.format('.0%')(d.share));
  const counts = ev[weights].first_choice[layer];
  container.prepend(exportBar(container, `evidence first choices layer ${layer} ${weights}`, () => [
    ['layer', 'weights', 'group', 'expert', 'count', 'share'],
    ...cells.map(d => [layer, weights, d.group, d.expert, counts[d.gi][d.expert], d.share.toFixed(6)])]));
}

/** A row of counts or shares, as shares that sum to 1. */
function shares(row) {
  const sum = d3.sum(row);
  return sum > 0 ? row.map(v => v / sum) : row.map(() => 0);
}
