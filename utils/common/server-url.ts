// A GPUStack server address as the user types it ("gpustack.lan:8080/", "https://x/gpustack") turned
// into the base every API path hangs from, and the origin its key, bucket and permission belong to.

export interface ServerAddress {
  /** "http://gpustack.lan:8080": what the key is bound to and the host permission names. */
  origin: string;
  /** Origin plus any path prefix a reverse proxy adds, without a trailing slash. */
  base: string;
}

/** The parsed address, or null when `input` is no http(s) address. */
export function parseServerUrl(input: string): ServerAddress | null {
  const text = input.trim();
  if (!text) return null;
  // People type "gpustack.lan:8080"; plain http is the usual LAN setup.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Credentials in the URL would travel with every request; the key goes in a header instead.
  if (url.username || url.password || !url.hostname) return null;
  const path = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, base: `${url.origin}${path}` };
}

/** The host permission pattern Chrome and Firefox take for the server ("http://host:port/*"). */
export function originPattern(origin: string): string {
  return `${origin}/*`;
}

export function sameOrigin(a: string, b: string): boolean {
  const left = parseServerUrl(a);
  const right = parseServerUrl(b);
  return left !== null && right !== null && left.origin === right.origin;
}
