// Colour scales shared by every view: one categorical colour per expert, sequential scales for probabilities.
const d3 = window.d3;

export function expertColors(experts) {
  const palette = experts <= 10 ? d3.schemeTableau10 : d3.quantize(d3.interpolateRainbow, experts + 1);
  return d3.scaleOrdinal(d3.range(experts), palette);
}

/** Black or white, whichever reads better on the given background. */
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
