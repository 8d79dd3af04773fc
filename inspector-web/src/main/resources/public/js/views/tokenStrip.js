// The trace's tokens as a row of buttons: the readable label, the piece and id on hover; clicking selects the token.
import { el } from '../dom.js';

export function drawTokenStrip(container, tokens, generatedFrom, onToken) {
  container.replaceChildren(...tokens.map(t => el('button', {
    type: 'button',
    class: `token${t.position >= generatedFrom ? ' generated' : ''}`,
    'data-token': t.position,
    title: `#${t.position} · piece ${t.piece} · id ${t.id}${t.position >= generatedFrom ? ' · generated' : ''}`,
    onclick: () => onToken(t.position),
  }, t.text)));
}
