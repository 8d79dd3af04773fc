// While a request runs, polls GET /api/progress and shows which phase and layer the model is at.
import { api } from './api.js';
import { $ } from './dom.js';

const POLL_MS = 300;

export async function withProgress(label, promise) {
  const box = $('#progress');
  const text = $('#progress-text');
  const bar = $('#progress-bar');
  let stopped = false;
  const show = () => {
    box.hidden = false;
    text.textContent = `${label}…`;
    bar.removeAttribute('value');
  };
  const timer = setTimeout(show, 150);
  const poll = async () => {
    while (!stopped) {
      try {
        const p = await api.progress();
        if (stopped) break;
        if (p.running && p.layers > 0) {
          bar.max = p.layers;
          bar.value = p.layer;
          text.textContent = `${p.task}: layer ${p.layer} of ${p.layers}${p.queued ? ` · ${p.queued} waiting` : ''}`;
        } else if (p.running) {
          text.textContent = `${p.task || label}…${p.queued ? ` ${p.queued} waiting` : ''}`;
        }
      } catch (e) {
        // Progress is a courtesy; the request itself reports real failures.
      }
      await new Promise(r => setTimeout(r, POLL_MS));
    }
  };
  poll();
  try {
    return await promise;
  } finally {
    stopped = true;
    clearTimeout(timer);
    box.hidden = true;
  }
}
