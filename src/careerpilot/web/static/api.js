// The HTTP API (same origin) and a small server-sent-events reader for POST responses
// (EventSource can only GET).

export class ApiError extends Error {
  constructor(status, code, message, retryable = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }
}

/** The typed JSON error of a failed response: {"error": {"code", "message", "retryable"}}. */
export async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = body?.error ?? {};
  const fallback = {
    401: "Please sign in again.",
    404: "Not found.",
    413: "That question is too long.",
    422: "That question cannot be sent.",
  }[response.status];
  const message = error.message ? sentence(error.message) : fallback || `The server answered ${response.status}.`;
  return new ApiError(response.status, error.code ?? "http_error", message, Boolean(error.retryable));
}

function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export class Api {
  constructor(getToken = () => null) {
    this.getToken = getToken;
  }

  headers(extra = {}) {
    const token = this.getToken();
    return { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra };
  }

  async request(method, path, { body, signal, accept } = {}) {
    let response;
    try {
      response = await fetch(path, {
        method,
        signal,
        headers: this.headers({
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...(accept ? { Accept: accept } : {}),
        }),
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw new ApiError(0, "network", "The server cannot be reached. Check your connection.", true);
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async json(method, path, options) {
    const response = await this.request(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  get(path, options) {
    return this.json("GET", path, options);
  }

  post(path, body, options = {}) {
    return this.json("POST", path, { ...options, body });
  }

  /** POST a question; resolves with the streaming response (JSON errors throw ApiError). */
  ask(conversationId, text, context, signal) {
    return this.request("POST", `/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      body: { text, context },
      signal,
      accept: "text/event-stream",
    });
  }
}

/** Parse one SSE frame ("event:" and "data:" lines) into its event, or null. */
export function parseFrame(frame) {
  let type = null;
  const data = [];
  for (const line of frame.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") type = value;
    else if (name === "data") data.push(value);
  }
  if (!data.length) return null;
  let payload;
  try {
    payload = JSON.parse(data.join("\n"));
  } catch {
    return null;
  }
  if (payload === null || typeof payload !== "object") return null;
  return { ...payload, type: type ?? payload.type ?? "message" };
}

/** The events of an SSE body, as they arrive: frames end with a blank line. */
export async function* readEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      // Normalise line ends; a "\r" at the very end may be half of a "\r\n": keep it for later.
      const keep = buffer.endsWith("\r") ? "\r" : "";
      buffer = buffer.slice(0, buffer.length - keep.length).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) yield event;
      }
      buffer += keep;
    }
    buffer = (buffer + decoder.decode()).replace(/\r\n?/g, "\n");
    if (buffer.trim()) {
      const event = parseFrame(buffer);
      if (event) yield event;
    }
  } finally {
    // Stopped early (the consumer broke off): close the connection.
    if (!finished) reader.cancel().catch(() => {});
  }
}
