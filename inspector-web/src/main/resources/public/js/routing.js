// What one routing cell says beyond its numbers, kept apart from drawing (no DOM, no D3) so that it can be
// unit-tested. A cell is one token at one layer as GET /api/traces/{id} sends it: `experts` (the chosen ones, first
// choice first), `weights`, `probs` (every expert's router probability), `margin` and `nearTie` (the server's flag:
// margin below the nearTieMargin it also sends).

/** Every expert, most likely first; equal probabilities keep the lower index first, as argmax breaks ties. */
export function byProbability(probs) {
  return Array.from(probs, (_, e) => e).sort((a, b) => probs[b] - probs[a] || a - b);
}

/**
 * The most likely expert that was not chosen: the one that nearly made it. Not simply the (K+1)-th most likely:
 * on equal probabilities the router may have chosen either, and the runner-up is the other. Undefined if K = E.
 */
export function runnerUp(cell) {
  return byProbability(cell.probs).find(e => !cell.experts.includes(e));
}

/** The positions of a layer's tokens (one cell each) that the server flagged as near ties. */
export function nearTies(row) {
  return row.flatMap((cell, t) => (cell.nearTie ? [t] : []));
}
