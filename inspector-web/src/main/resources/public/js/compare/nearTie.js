// The one near-tie threshold of the page: the routing map's, heatmap's and token detail's flag, and the tie margin
// the compare and what-if requests send (their `tieMargin` parameter). The server's rule is the same, strictly below
// (TraceAnalysis.isNearTie); its default is the server's nearTieMargin. No DOM here, so it can be unit-tested.

/** Whether a router margin (null when every expert is chosen) is a near tie under `threshold`: strictly below. */
export function isNearTie(margin, threshold) {
  return margin !== null && margin !== undefined && margin < threshold;
}

/**
 * Re-flags, in place, every routing cell of a trace summary (`routing` [L][T]) or every layer of a token detail
 * (`layers`) under `threshold`, and records the threshold where the summary says it (`nearTieMargin`).
 */
export function applyThreshold(view, threshold) {
  if (!view) return view;
  const cells = view.routing ? view.routing.flat() : (view.layers || []);
  for (const c of cells) c.nearTie = isNearTie(c.margin, threshold);
  if (view.routing) view.nearTieMargin = threshold;
  return view;
}

/** A threshold from text: a finite number >= 0, else undefined. */
export function parseThreshold(text) {
  if (text === null || text === undefined || String(text).trim() === '') return undefined;
  const x = Number(text);
  return Number.isFinite(x) && x >= 0 ? x : undefined;
}
