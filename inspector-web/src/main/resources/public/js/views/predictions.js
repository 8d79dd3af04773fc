// Next-token predictions: the top candidates after a token, as labelled bars. Clicking one appends it.
import { el, pct } from '../dom.js';

export function predictionList(predictions, onPick) {
  const top = Math.max(...predictions.map(p => p.prob), 1e-9);
  return el('ol', { class: 'predictions' }, predictions.map(p => el('li', {},
    el(onPick ? 'button' : 'span', {
      class: 'prediction', type: onPick ? 'button' : undefined, 'data-id': p.id,
      title: `piece ${p.piece}, id ${p.id}${onPick ? ' (click to append)' : ''}`,
      onclick: onPick ? () => onPick(p) : undefined,
    },
    el('span', { class: 'tok', text: p.text }),
    el('span', { class: 'bar', style: { width: `${(60 * p.prob) / top}px` } }),
    el('span', { class: 'num', text: pct(p.prob) })))));
}
