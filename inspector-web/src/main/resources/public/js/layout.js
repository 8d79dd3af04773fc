// The arithmetic of the charts' layout, kept apart from drawing (no DOM, no D3) so that it can be unit-tested:
// column widths, the stripes of a routing-map cell, and how long a token label may be.

/** Narrowest and widest token column in px: narrower would hide the expert number, wider would waste the panel. */
export const MIN_CELL_WIDTH = 16;
export const MAX_CELL_WIDTH = 40;
/** From this column width up, a routing-map cell repeats its first-choice expert's colour with the number. */
export const DIGIT_WIDTH = 14;

/**
 * Column width for T tokens so that a chart fits a panel `panelWidth` px wide (900 when not yet laid out) beside
 * labels `labelWidth` px wide when it can, and stays readable (the panel scrolls) when not.
 */
export function cellWidth(panelWidth, tokens, labelWidth) {
  const room = (panelWidth || 900) - labelWidth - 24;
  return Math.max(MIN_CELL_WIDTH, Math.min(MAX_CELL_WIDTH, Math.floor(room / tokens)));
}

/**
 * The stripes along the bottom of a routing-map cell `cw` px wide, one per later choice (second, third, ...), in
 * order, side by side between 2 px margins: [{ expert, x, width }].
 */
export function stripes(cw, later) {
  const width = (cw - 5) / Math.max(1, later.length);
  return later.map((expert, i) => ({ expert, x: 2 + i * width, width }));
}

/** A token label cut to `max` characters with an ellipsis; characters, not UTF-16 units, so no emoji is split. */
export function shorten(text, max = 12) {
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : text;
}

/** Attention cells: as wide as fit the panel, from 1 px (512 tokens in a laptop's panel) to 28 px. */
export function attentionCell(panelWidth, tokens, labelWidth) {
  const room = (panelWidth || 900) - labelWidth - 24;
  return Math.max(1, Math.min(28, Math.floor(room / tokens)));
}

/** Every how many tokens an axis can label one, so that labels `cw` px apart are at least `gap` px apart. */
export function labelEvery(cw, gap = 12) {
  return Math.max(1, Math.ceil(gap / cw));
}

/**
 * Views that scroll together show the same first token: scrollLeft / cw. The first token closest to `first` that keeps
 * `token` in view in every one of `views` ({ cw, left: the label column's width, width: the visible width }), or in
 * the narrowest if no position suits them all.
 */
export function keepInView(first, token, views) {
  let lo = -Infinity;
  let hi = Infinity;
  for (const v of views) {
    lo = Math.max(lo, (v.left + (token + 1) * v.cw - v.width) / v.cw);
    hi = Math.min(hi, v.left / v.cw + token);
  }
  if (!views.length) return first;
  return Math.max(0, lo > hi ? hi : Math.min(hi, Math.max(lo, first)));
}

/** Which cell of a grid of `cw` x `ch` px cells, `columns` x `rows`, the point (x, y) is in; null outside. */
export function cellAt(x, y, cw, ch, columns, rows) {
  const column = Math.floor(x / cw);
  const row = Math.floor(y / ch);
  return column >= 0 && column < columns && row >= 0 && row < rows ? { column, row } : null;
}

/** The cursor of a tokens x layers grid after a key: arrows move one cell, Home and End to the first and last token. */
export function moveCursor(cursor, key, tokens, layers) {
  const clamp = (v, n) => Math.max(0, Math.min(n - 1, v));
  const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[key];
  if (move) return { token: clamp(cursor.token + move[0], tokens), layer: clamp(cursor.layer + move[1], layers) };
  if (key === 'Home') return { token: 0, layer: cursor.layer };
  if (key === 'End') return { token: tokens - 1, layer: cursor.layer };
  return null;
}
