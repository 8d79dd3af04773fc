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
