// Builds DOM from data with textContent only: nothing derived from a prompt ever goes through innerHTML.
// `style` is an object of CSS properties, set through the CSSOM: the server's Content-Security-Policy refuses
// style attributes (a string would be one), so that injected markup cannot style the page either.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'style') for (const [name, v] of Object.entries(value)) node.style.setProperty(name, v);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export const $ = selector => document.querySelector(selector);

export function fmt(x, digits = 3) {
  if (x === null || x === undefined) return '–';
  return Number(x).toFixed(digits);
}

export function pct(p) {
  return `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;
}

/** Compact parameter counts: 46.7B, 12.9M, 3.2k. */
export function count(n) {
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(n >= 10 * size ? 1 : 2)}${unit}`;
  return String(n);
}
