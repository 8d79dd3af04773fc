// Labels on traces and the Figure 7 view: the trace bar's "Label this trace" and "Remove label" controls, and the
// figure of the labels typed in its section (all labels when none are typed), for the layers typed
// (js/layerChoice.js). The labels shown travel in the link as `figure7=fr,de` (empty: all), the layers as
// `figure7-layers=1,4` (none: the default), so a shared link restores the figure; other parameters are kept.
import { api, describeError } from './api.js';
import { $, el } from './dom.js';
import { drawFigure7 } from './views/figure7.js';
import { formatLayers, parseLayers } from './layerChoice.js';

/** Labels from what a person typed: split at commas, trimmed, empty ones dropped. */
export function parseLabels(text) {
  return String(text ?? '').split(',').map(s => s.trim()).filter(s => s.length > 0);
}

/** `page`: { state, ctx, say } from main.js. Returns the hook main.js calls when another trace is shown. */
export function initLabels(page) {
  const { state, ctx, say } = page;
  const linked = new URLSearchParams(location.search).get('figure7');
  $('#figure7-labels').value = linked ? parseLabels(linked).join(', ') : '';
  $('#figure7-layers').value = new URLSearchParams(location.search).get('figure7-layers') ?? '';
  let known = null;                               // the figure of every label: which trace has which
  let latest = 0;                                 // refreshes overlap (a new trace, a new label): the last one wins

  function showLabelOf(id) {
    const given = known?.labels.find(c => c.traces.includes(id));
    $('#trace-label-now').textContent = given ? `labelled “${given.label}”` : 'no label';
    $('#unlabel-trace').hidden = !given;
  }

  /** Fetches the figure of the labels typed and draws it; `remember` puts them in the address bar. */
  async function refresh({ remember = false } = {}) {
    const labels = parseLabels($('#figure7-labels').value);
    const mine = ++latest;
    let view;
    let all;
    try {
      [view, all] = await Promise.all([api.figure7(labels), labels.length ? api.figure7([]) : null]);
    } catch (e) {
      if (mine === latest) say(`Figure 7: ${describeError(e)}`, 'error');
      return;
    }
    if (mine !== latest) return;
    const typedLayers = $('#figure7-layers').value.trim();
    let shown;
    try {
      shown = parseLayers(typedLayers, view.layers);
    } catch (e) {
      say(`Figure 7: ${e.message}`, 'error');
      return;
    }
    known = all || view;
    $('#label-names').replaceChildren(...known.labels.map(c => el('option', { value: c.label })));
    showLabelOf(state.summary?.id);
    drawFigure7($('#figure7'), view, ctx.colors, shown);
    $('#figure7-all-layers').hidden = shown.length === view.layers;
    const q = new URLSearchParams(location.search);
    if (remember) q.set('figure7', labels.join(','));
    if (remember && typedLayers) q.set('figure7-layers', /^all$/i.test(typedLayers) ? 'all' : formatLayers(shown));
    if (remember && !typedLayers) q.delete('figure7-layers');
    if (remember) history.replaceState(history.state, '', `/?${q}`);
    const link = $('#figure7-link');
    link.hidden = !q.has('figure7');
    link.href = `/?${q}`;
  }

  $('#figure7-show').addEventListener('click', () => refresh({ remember: true }));
  for (const input of ['#figure7-labels', '#figure7-layers']) {
    $(input).addEventListener('keydown', e => {
      if (e.key === 'Enter') refresh({ remember: true });
    });
  }
  $('#figure7-all-layers').addEventListener('click', () => {
    $('#figure7-layers').value = 'all';
    refresh({ remember: true });
  });
  $('#label-trace').addEventListener('click', async () => {
    const id = state.summary?.id;
    const label = $('#trace-label').value.trim();
    if (!id) return;
    if (!label) {
      say('Type a label first, e.g. fr or code.', 'error');
      return;
    }
    try {
      const given = await api.label(id, label);
      say(`Trace ${id} is labelled “${given.label}”.`);
    } catch (e) {
      say(`Cannot label trace ${id}: ${describeError(e)}`, 'error');
      return;
    }
    await refresh();
  });

  $('#unlabel-trace').addEventListener('click', async () => {
    const id = state.summary?.id;
    if (!id) return;
    let left;
    try {
      await api.unlabel(id);
      left = new Set((await api.figure7([])).labels.map(c => c.label));
    } catch (e) {
      say(`Cannot remove the label of trace ${id}: ${describeError(e)}`, 'error');
      return;
    }
    say(`Trace ${id} has no label now.`);
    // a label typed for the figure that no trace has any more would make the figure an error: it goes too
    const typed = parseLabels($('#figure7-labels').value);
    const kept = typed.filter(l => left.has(l));
    $('#figure7-labels').value = kept.join(', ');
    await refresh({ remember: kept.length !== typed.length });
  });

  return {
    /** A trace is shown: its label beside the control, and the figure (labels may have changed elsewhere). */
    onTrace: () => refresh(),
  };
}
