// Every chart exports as PNG and SVG, and its data as CSV: one bar of three buttons per chart. A chart is whatever
// canvases and SVGs its container holds; the export composes them into one SVG (canvases as embedded PNGs, the
// stylesheet's colours copied onto the elements as presentation attributes, since an exported file has no stylesheet).
import { el } from './dom.js';

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; lines end in CRLF. */
export function toCsv(rows) {
  const field = v => {
    const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map(r => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A file name from a chart's name: lower case letters, digits and dashes. */
export function fileName(name, extension) {
  return `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.${extension}`;
}

const STYLED = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-size', 'font-family',
  'font-weight', 'text-anchor', 'dominant-baseline'];
const SVG = 'http://www.w3.org/2000/svg';

/** The chart in `container` as one standalone SVG element: [svg, width, height]. */
export function composeSvg(container) {
  const box = container.getBoundingClientRect();
  const parts = [...container.querySelectorAll('svg, canvas')]
    .filter(n => !n.closest('.export-bar') && !(n.parentElement && n.parentElement.closest('svg')))
    .filter(n => n.getBoundingClientRect().width > 0);
  const place = n => {
    const r = n.getBoundingClientRect();
    return { x: r.left - box.left + container.scrollLeft + offset(n, container), y: r.top - box.top + container.scrollTop, w: r.width, h: r.height };
  };
  const placed = parts.map(n => ({ n, ...place(n) }));
  const width = Math.ceil(Math.max(1, ...placed.map(p => p.x + p.w)));
  const height = Math.ceil(Math.max(1, ...placed.map(p => p.y + p.h)));
  const out = document.createElementNS(SVG, 'svg');
  out.setAttribute('xmlns', SVG);
  out.setAttribute('width', width);
  out.setAttribute('height', height);
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const bg = document.createElementNS(SVG, 'rect');
  bg.setAttribute('width', width);
  bg.setAttribute('height', height);
  bg.setAttribute('fill', getComputedStyle(container.closest('.card') || document.body).backgroundColor);
  out.append(bg);
  for (const p of placed) {
    if (p.n.tagName.toLowerCase() === 'canvas') {
      const img = document.createElementNS(SVG, 'image');
      img.setAttribute('href', p.n.toDataURL('image/png'));
      for (const [k, v] of Object.entries({ x: p.x, y: p.y, width: p.w, height: p.h })) img.setAttribute(k, v);
      out.append(img);
    } else {
      const copy = p.n.cloneNode(true);
      copyStyles(p.n, copy);
      copy.setAttribute('x', p.x);
      copy.setAttribute('y', p.y);
      out.append(copy);
    }
  }
  return [out, width, height];
}

/** Scroll offsets of the scrolling boxes between a node and the container (the routing map scrolls inside it). */
function offset(node, container) {
  let x = 0;
  for (let n = node.parentElement; n && n !== container; n = n.parentElement) x += n.scrollLeft;
  return x;
}

function copyStyles(from, to) {
  const a = [from, ...from.querySelectorAll('*')];
  const b = [to, ...to.querySelectorAll('*')];
  a.forEach((node, i) => {
    const cs = getComputedStyle(node);
    if (cs.display === 'none') b[i].setAttribute('display', 'none');
    for (const prop of STYLED) {
      const v = cs.getPropertyValue(prop);
      if (v && !(prop === 'fill' && node.tagName === 'svg')) b[i].setAttribute(prop, v);
    }
    b[i].removeAttribute('class');
  });
}

export function svgText(container) {
  return new XMLSerializer().serializeToString(composeSvg(container)[0]);
}

/** The chart as a PNG blob, drawn at `scale` times its size. */
export async function pngBlob(container, scale = 2) {
  const [svg, width, height] = composeSvg(container);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const c2d = canvas.getContext('2d');
  c2d.scale(scale, scale);
  c2d.drawImage(image, 0, 0);
  return new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
}

function save(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * Three buttons that save the chart in `container` as PNG and SVG and `rows()` ([header, ...rows]) as CSV, in files
 * named after `name`.
 */
export function exportBar(container, name, rows) {
  // SVG and CSV are saved within the click (a browser lets a page save several files only on a person's gesture).
  const button = (label, kind, make) => el('button', { type: 'button', class: 'link export', 'data-export': kind,
    title: `save this chart's ${label}`, text: label, onclick: () => {
      const blob = make();
      if (blob instanceof Blob) save(blob, fileName(name, kind));
      else blob.then(b => save(b, fileName(name, kind)));
    } });
  return el('div', { class: 'export-bar', role: 'group', 'aria-label': `export ${name}` },
    el('span', { class: 'muted', text: 'save as' }),
    button('PNG', 'png', () => pngBlob(container)),
    button('SVG', 'svg', () => new Blob([svgText(container)], { type: 'image/svg+xml' })),
    button('CSV', 'csv', () => new Blob([toCsv(rows())], { type: 'text/csv' })));
}
