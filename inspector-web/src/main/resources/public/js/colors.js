// Colour scales shared by every view: one categorical colour per expert, sequential scales for probabilities.
// Colour never tells the experts apart alone (Tableau 10's red and green are alike under deuteranopia): the routing
// map writes the number too, the other views a label or a position.
const d3 = window.d3;

/** Tableau 10 up to 10 experts; beyond, the cyclic rainbow sampled E + 1 times so the last is not the first again. */
export function expertColors(experts) {
  const palette = experts <= 10 ? d3.schemeTableau10 : d3.quantize(d3.interpolateRainbow, experts + 1);
  return d3.scaleOrdinal(d3.range(experts), palette);
}

/**
 * Near-black text from CIELAB lightness 62 up, white below: on every expert colour at least 3:1 contrast, WCAG 2's
 * minimum for large text and graphics (on red, green, purple and brown WCAG 2 would rate black higher still).
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
