// What the routing says beyond one cell, computed from GET /api/traces/{id} without DOM so it can be unit-tested:
// which experts work together (co-activation), which tokens an expert took, and how undecided the router was
// (entropy, which the server computes: mixtral.evidence.RouterEntropy). A row is one layer's cells [T]: `experts`
// (chosen, first choice first), `probs` [E] and `entropy` (bits).

/** Routing entropy of every token at every layer as the server computed it: [L][T] bits. */
export function routingEntropy(routing) {
  return routing.map(row => row.map(cell => cell.entropy));
}

/**
 * Co-activation of one layer: [E][E] counts, off the diagonal the tokens that chose both experts among their K, on it
 * the tokens that chose that expert (its load). Symmetric; each row sums to load x K.
 */
export function coActivation(row, experts) {
  const m = Array.from({ length: experts }, () => new Array(experts).fill(0));
  for (const cell of row) {
    for (const i of cell.experts) for (const j of cell.experts) m[i][j] += 1;
  }
  return m;
}

/** The tokens of one layer that chose `expert`, with its rank among their choices (0 = first): [{ token, rank }]. */
export function tokensOf(row, expert) {
  return row.flatMap((cell, token) => {
    const rank = cell.experts.indexOf(expert);
    return rank < 0 ? [] : [{ token, rank }];
  });
}
