// Views with one column per token scroll together: scrolling one shows the same first token in the others, and a
// selected token is scrolled into view in all of them (layout.js keepInView).
import { keepInView } from './layout.js';

const listeners = new Set();
// Views this module scrolled, until their scroll event arrives: that event is not passed on to the others. A view
// that cannot scroll as far as the one the person moved (a wider panel shows more tokens) would otherwise pull it
// back to its own end, and its last tokens could never be shown.
const driven = new WeakSet();

function scrollers() {
  return [...document.querySelectorAll('[data-scroll-sync]')].filter(n => n.isConnected);
}

/** Scrolls `node` to `left` px, marking it as driven if it moved (a scroll event follows only then). */
function drive(node, left) {
  const before = node.scrollLeft;
  node.scrollLeft = left;
  if (node.scrollLeft !== before) driven.add(node);
}

/** Makes `node` (an element that scrolls horizontally, token columns `cw` px wide after `left` px) scroll with the others. */
export function syncScroll(node, cw, left) {
  node.dataset.scrollSync = '';
  node.dataset.cw = String(cw);
  node.dataset.left = String(left);
  node.onscroll = () => {
    const first = node.scrollLeft / cw;
    if (driven.delete(node)) {
      listeners.forEach(f => f(first, node));
      return;
    }
    for (const other of scrollers()) {
      if (other === node) continue;
      const target = Math.round(first * Number(other.dataset.cw));
      if (Math.abs(other.scrollLeft - target) > 1) drive(other, target);
    }
    listeners.forEach(f => f(first, node));
  };
}

/** Calls `f(firstToken, node)` whenever a synced view scrolls. */
export function onScroll(f) {
  listeners.add(f);
}

/** Scrolls every synced view so that `token` is in view in each, moving as little as possible. */
export function showToken(token) {
  const nodes = scrollers();
  if (!nodes.length) return;
  const views = nodes.map(n => ({ cw: Number(n.dataset.cw), left: Number(n.dataset.left), width: n.clientWidth }));
  const first = nodes[0].scrollLeft / views[0].cw;
  const next = keepInView(first, token, views);
  nodes.forEach((n, i) => drive(n, Math.round(next * views[i].cw)));
}

/** Scrolls every synced view to show `first` as its first token. */
export function scrollToToken(first) {
  scrollers().forEach(n => drive(n, Math.round(first * Number(n.dataset.cw))));
}
