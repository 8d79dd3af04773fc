// The trace's tokens as a row of buttons, underlined in the colour of their first-choice expert at the selected
// layer (the Mixtral paper's Figure 8, as text); the piece and id on hover; clicking selects the token.
import { el } from '../dom.js';

export function drawTokenStrip(container, summary, layer, generatedFrom, ctx) {
  const routing = summary.routing[layer];
  container.replaceChildren(...summary.tokens.map(t => el('button', {
    type: 'button',
    class: `token${t.position >= generatedFrom ? ' generated' : ''}`,
    'data-token': t.position,
    'data-expert': routing[t.position].experts[0],
    style: { 'border-bottom-color': ctx.colors(routing[t.position].experts[0]) },
    title: `#${t.position} · piece ${t.piece} · id ${t.id} · layer ${layer}: experts ${routing[t.position].experts.join(', ')}`
      + `${t.position >= generatedFrom ? ' · generated' : ''}`,
    onclick: () => ctx.onToken(t.position),
  }, t.text)));
}
