// One floating tooltip for every chart; its content is DOM built with textContent.
import { el } from '../dom.js';

const tip = el('div', { class: 'tooltip', role: 'tooltip', hidden: true });
document.body.append(tip);

export function showTip(event, ...lines) {
  tip.replaceChildren(...lines.map(line => (line instanceof Node ? line : el('div', { text: line }))));
  tip.hidden = false;
  const pad = 14;
  const { innerWidth: w, innerHeight: h } = window;
  const r = tip.getBoundingClientRect();
  const x = event.clientX + pad + r.width > w ? event.clientX - pad - r.width : event.clientX + pad;
  const y = event.clientY + pad + r.height > h ? event.clientY - pad - r.height : event.clientY + pad;
  tip.style.left = `${Math.max(0, x)}px`;
  tip.style.top = `${Math.max(0, y)}px`;
}

export function hideTip() {
  tip.hidden = true;
}
