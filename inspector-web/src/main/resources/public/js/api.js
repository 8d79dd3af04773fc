// The inspector's JSON API (see inspector-web/FRONTEND.md). Every failure becomes an ApiError with a readable message.

export class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export async function request(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'cannot reach the inspector server (is it still running?)');
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const retry = Number(res.headers.get('Retry-After')) || null;
    const message = (json && json.error) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message, retry);
  }
  return json;
}

const traceUrl = id => `/api/traces/${encodeURIComponent(id)}`;

export const api = {
  model: () => request('GET', '/api/model'),
  traceFormat: () => request('GET', '/api/trace-format'),
  evidence: () => request('GET', '/api/evidence'),
  progress: () => request('GET', '/api/progress'),
  createFromPrompt: (prompt, generate = 0) => request('POST', '/api/traces', { prompt, generate }),
  createFromTokens: (tokens, generate = 0) => request('POST', '/api/traces', { tokens, generate }),
  summary: id => request('GET', traceUrl(id)),
  token: (id, position) => request('GET', `${traceUrl(id)}/tokens/${position}`),
  attention: (id, layer, head) => request('GET', `${traceUrl(id)}/attention?layer=${layer}&head=${head}`),
  downloadUrl: id => `${traceUrl(id)}/trace.safetensors`,
  label: (id, label) => request('PUT', `${traceUrl(id)}/label`, { label }),
  unlabel: id => request('DELETE', `${traceUrl(id)}/label`),
  /** The paper's Figure 7 for these labels (a list), or for every label when `labels` is empty. */
  figure7: labels => request('GET', `/api/figure7${labels.length ? `?labels=${encodeURIComponent(labels.join(','))}` : ''}`),
};

/** One line a person can act on. */
export function describeError(e) {
  if (e instanceof ApiError && e.status === 429) {
    const wait = e.retryAfter ? `retry in ${e.retryAfter} s` : 'retry in a moment';
    return `The model is busy with other requests: ${wait}. (${e.message})`;
  }
  if (e instanceof ApiError && e.status === 413) return `Too large: ${e.message}`;
  if (e instanceof ApiError && e.status === 422) return `Too long: ${e.message}`;
  return e.message || String(e);
}
