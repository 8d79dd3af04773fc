// Colour scales shared by every view: one categorical colour per expert, sequential scales for probabilities.
// Colour never tells the experts apart alone: the routing map writes the number too, the other views a label or a
// position. The expert palette is still chosen to survive colour blindness (PageFunctionsTest simulates it).
const d3 = window.d3;

/**
 * Okabe and Ito's eight colours (2008), made to stay apart under deuteranopia and protanopia: simulated with
 * Machado et al.'s (2009) matrices, no two are closer than CIELAB ΔE 17 (Tableau 10's red and green: 0.9).
 * Black is last so that expert 0 is not the colour of the page's ink.
 */
export const OKABE_ITO = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#000000'];

/** Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB: what a dichromat sees. */
export const CVD = {
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
};

/** Okabe–Ito up to 8 experts; beyond, the cyclic rainbow sampled E + 1 times so the last is not the first again. */
export function expertColors(experts) {
  const palette = experts <= OKABE_ITO.length ? OKABE_ITO : d3.quantize(d3.interpolateRainbow, experts + 1);
  return d3.scaleOrdinal(d3.range(experts), palette);
}

/** `color` as a person with the given dichromacy (a matrix of CVD) sees it, as a hex colour. */
export function simulate(color, matrix) {
  const toLinear = v => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const toSrgb = v => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
  const c = d3.rgb(color);
  const lin = [c.r, c.g, c.b].map(toLinear);
  const [r, g, b] = matrix.map(row => toSrgb(Math.min(1, Math.max(0, row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]))));
  return d3.rgb(r, g, b).formatHex();
}

/** CIE76 colour difference: Euclidean distance in CIELAB. */
export function deltaE(x, y) {
  const p = d3.lab(x);
  const q = d3.lab(y);
  return Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b);
}

/** The smallest ΔE between two of `colors` as seen through `matrix` (identity if none). */
export function closestPair(colors, matrix) {
  const seen = matrix ? colors.map(c => simulate(c, matrix)) : colors;
  let best = Infinity;
  for (let i = 0; i < seen.length; i++) for (let j = i + 1; j < seen.length; j++) best = Math.min(best, deltaE(seen[i], seen[j]));
  return best;
}

/**
 * Near-black text from CIELAB lightness 62 up, white below: on every expert colour at least 3:1 contrast, WCAG 2's
 * minimum for large text and graphics.
 */
export function textOn(color) {
  return d3.lab(color).l > 62 ? '#111' : '#fff';
}

/** Router and attention probabilities in [0, 1]; sqrt so that the many small values stay distinguishable. */
export function probabilityScale() {
  return d3.scaleSequentialSqrt(d3.interpolateYlGnBu).domain([0, 1]);
}

export function normScale(max) {
  return d3.scaleSequential(d3.interpolateMagma).domain([max, 0]);
}

/** `n` RGB triples sampled from `scale` over its domain, for painting pixels without a colour parse per pixel. */
export function colorTable(scale, n = 256) {
  const [lo, hi] = scale.domain();
  const table = new Uint8ClampedArray(3 * n);
  for (let i = 0; i < n; i++) {
    const c = d3.rgb(scale(lo + ((hi - lo) * i) / (n - 1)));
    table.set([c.r, c.g, c.b], 3 * i);
  }
  return table;
}
