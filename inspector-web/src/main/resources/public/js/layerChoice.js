// Which layers a figure of one panel per layer draws: Mixtral 8x7B has 32, too many panels to compare, so a deep
// model shows its first and last few unless asked. What a person types (`0-3, 31`, `all`) and what the link keeps.

/** Panels drawn without asking: every layer up to this many, else the first and last half of it. */
export const FEW_LAYERS = 8;

/** The layers of `L` shown by default: all up to FEW_LAYERS, else the first and last four (8x7B: 0-3 and 28-31). */
export function defaultLayers(L) {
  const all = Array.from({ length: L }, (_, l) => l);
  return L <= FEW_LAYERS ? all : [...all.slice(0, FEW_LAYERS / 2), ...all.slice(L - FEW_LAYERS / 2)];
}

/**
 * The layers of `L` in `text`: numbers and ranges (`0-3`) at commas, ascending and each once; `all` is every layer,
 * nothing typed the default. Throws an Error naming the first part that is no layer, or no range, of 0 to L-1.
 */
export function parseLayers(text, L) {
  const typed = String(text ?? '').trim().toLowerCase();
  if (typed === 'all') return Array.from({ length: L }, (_, l) => l);
  const chosen = new Set();
  for (const part of typed.split(',').map(p => p.trim()).filter(p => p.length > 0)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    const from = m && Number(m[1]);
    const to = m && Number(m[2] ?? m[1]);
    if (!m || from > to || to >= L) {
      throw new Error(`layers: “${part}” is not a layer or a range of layers 0 to ${L - 1} (e.g. 0-3, ${L - 1})`);
    }
    for (let l = from; l <= to; l++) chosen.add(l);
  }
  return chosen.size ? [...chosen].sort((a, b) => a - b) : defaultLayers(L);
}

/** Ascending layers written short, runs as ranges: [0, 1, 2, 3, 31] is `0-3,31`; parseLayers reads it back. */
export function formatLayers(layers) {
  const runs = [];
  for (const l of layers) {
    const last = runs[runs.length - 1];
    if (last && l === last[1] + 1) last[1] = l;
    else runs.push([l, l]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}
