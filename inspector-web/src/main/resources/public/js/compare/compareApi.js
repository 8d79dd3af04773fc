// The compare and what-if endpoints (README, API): import a trace file, compare two traces, run a what-if.
import { request, ApiError } from '../api.js';

const tieQuery = tieMargin => (tieMargin === undefined ? '' : `tieMargin=${encodeURIComponent(tieMargin)}`);

export const compareApi = {
  compare: (a, b, tieMargin) => request('GET',
    `/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&${tieQuery(tieMargin)}`),
  whatIf: (id, intervention, tieMargin) => request('POST',
    `/api/traces/${encodeURIComponent(id)}/whatif?${tieQuery(tieMargin)}`, intervention),
  async importFile(file) {
    let res;
    try {
      res = await fetch('/api/traces/import', {
        method: 'POST', headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' }, body: file,
      });
    } catch (e) {
      throw new ApiError(0, 'cannot reach the inspector server (is it still running?)');
    }
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, (json && json.error) || `${res.status} ${res.statusText}`);
    return json;
  },
};
