// Dense views as pixels: these functions paint RGBA arrays (an ImageData's data) without DOM, so a 512 x 512
// attention map or a 512 x 32 routing map is one putImageData, and they can be unit-tested pixel by pixel.
// Colours are [r, g, b] triples; `rgba` is width * height * 4 bytes, row-major.

/** Fills the rectangle [x, x + w) x [y, y + h) of an image `width` px wide. */
export function fillRect(rgba, width, x, y, w, h, [r, g, b]) {
  const x0 = Math.max(0, Math.round(x));
  const x1 = Math.min(width, Math.round(x + w));
  for (let row = Math.round(y); row < Math.round(y + h); row++) {
    for (let i = (row * width + x0) * 4, end = (row * width + x1) * 4; i < end; i += 4) {
      rgba[i] = r; rgba[i + 1] = g; rgba[i + 2] = b; rgba[i + 3] = 255;
    }
  }
}

/**
 * The routing map, `routing` [L][T] cells (experts first choice first, nearTie), each `cw` x `ch` px with a 1 px gap
 * right and below: the first choice's colour, the later choices as stripes along the bottom (`stripes(cw, later)`
 * of layout.js), a white square in the top right corner on near ties. `rgbOf(expert)` gives a colour.
 * Returns how many near-tie squares it drew (the canvas cannot be asked).
 */
export function paintRouting(rgba, width, routing, cw, ch, rgbOf, stripes) {
  const white = [255, 255, 255];
  let nearTies = 0;
  routing.forEach((row, l) => row.forEach((cell, t) => {
    const x = t * cw;
    const y = l * ch;
    fillRect(rgba, width, x, y, cw - 1, ch - 1, rgbOf(cell.experts[0]));
    for (const s of stripes(cw, cell.experts.slice(1))) {
      fillRect(rgba, width, x + s.x - 1, y + ch - 10, s.width + 2, 8, white);
      fillRect(rgba, width, x + s.x, y + ch - 9, s.width, 6, rgbOf(s.expert));
    }
    if (cell.nearTie) {
      fillRect(rgba, width, x + cw - 7, y + 1, 5, 5, [17, 17, 17]);
      fillRect(rgba, width, x + cw - 6, y + 2, 3, 3, white);
      nearTies++;
    }
  }));
  return nearTies;
}

/**
 * An attention map, `probs` [T][T] (row = query, column = key), `cw` px per token without gaps: each probability
 * looked up in `table` (n RGB triples over [0, 1], colors.js colorTable), keys after the query in `masked`.
 */
export function paintAttention(rgba, probs, cw, table, masked) {
  const T = probs.length;
  const width = T * cw;
  const n = table.length / 3;
  for (let q = 0; q < T; q++) {
    const row = probs[q];
    for (let k = 0; k < T; k++) {
      let rgb = masked;
      if (k <= q) {
        const i = 3 * Math.min(n - 1, Math.max(0, Math.round(row[k] * (n - 1))));
        rgb = [table[i], table[i + 1], table[i + 2]];
      }
      fillRect(rgba, width, k * cw, q * cw, cw, cw, rgb);
    }
  }
}
