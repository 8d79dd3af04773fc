// While a request runs, polls GET /api/progress and shows the model's phase, layer and the time so far.
import { api } from './api.js';
import { $ } from './dom.js';

const POLL_MS = 300;

function describe(p, label) {
  const waiting = p.queued ? ` · ${p.queued} waiting` : '';
  if (p.running && p.layers > 0) return `${p.task}: layer ${p.layer} of ${p.layers}${waiting}`;
  if (p.running) return `${p.task || label}${waiting}`;
  return `${label}: waiting for the model`;
}

export async function withProgress(label, promise) {
  const box = $('#progress');
  const text = $('#progress-text');
  const bar = $('#progress-bar');
  const started = performance.now();
  let stopped = false;
  const timer = setTimeout(() => {
    box.hidden = false;
    text.textContent = `${label}…`;
    bar.removeAttribute('value');
  }, 150);
  (async () => {
    while (!stopped) {
      try {
        const p = await api.progress();
        if (stopped) break;
        if (p.running && p.layers > 0) {
          bar.max = p.layers;
          bar.value = p.layer;
        } else {
          bar.removeAttribute('value');
        }
        const seconds = Math.round((performance.now() - started) / 1000);
        text.textContent = `${describe(p, label)} · ${seconds} s`;
      } catch (e) {
        // Progress is a courtesy; the request itself reports real failures.
      }
      await new Promise(r => setTimeout(r, POLL_MS));
    }
  })();
  try {
    return await promise;
  } finally {
    stopped = true;
    clearTimeout(timer);
    box.hidden = true;
  }
}
