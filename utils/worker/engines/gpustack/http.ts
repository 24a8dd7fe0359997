// Reading GPUStack's answers: JSON bodies, its error shape ({code, reason, message}; FastAPI's own
// {detail} for unknown routes and validation) and pages that are not the API at all.

import type { FetchedResponse } from '../../scheduler/scheduler';

/** A sign-in page of a proxy, the UI's index.html, an error page of a load balancer. */
export function isWebPage(response: FetchedResponse): boolean {
  const type = response.headers.get('content-type') ?? '';
  if (/text\/html|application\/xhtml/i.test(type)) return true;
  const start = new TextDecoder().decode(response.body.subarray(0, 64)).trimStart();
  return start.startsWith('<');
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(response: FetchedResponse): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    return undefined;
  }
}

/** The server's own sentence about an error, if it sent one (kept short: it is shown to people). */
export function serverMessage(response: FetchedResponse): string | undefined {
  const body = jsonOf(response) as { message?: unknown; detail?: unknown } | undefined;
  let text: unknown = body?.message;
  if (typeof text !== 'string' && typeof body?.detail === 'string') text = body.detail;
  if (typeof text !== 'string' && Array.isArray(body?.detail)) {
    text = (body.detail as Array<{ msg?: unknown }>)
      .map((d) => d?.msg)
      .filter((m) => typeof m === 'string')
      .join('; ');
  }
  return typeof text === 'string' && text.trim() ? text.trim().slice(0, 300) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
