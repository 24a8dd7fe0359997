// Where a huggingface.co URL points: which repo (and of which type), and the raw path after it.

export type RepoType = 'model' | 'dataset' | 'space';

// First path segments that are Hub sections, not owners. Datasets and spaces are prefixes handled
// separately; 'models' is the model search page. Only names known to be reserved: a wrong entry would
// hide a real user's repos, a missing one costs nothing (no ModelHeader, so no controls).
const RESERVED_FIRST_SEGMENTS = new Set([
  'models',
  'datasets',
  'spaces',
  'settings',
  'docs',
  'api',
  'login',
  'logout',
  'join',
  'oauth',
  'pricing',
  'enterprise',
  'blog',
  'papers',
  'collections',
  'organizations',
  'new',
  'new-dataset',
  'new-space',
  'new-collection',
  'notifications',
  'search',
  'tasks',
  'learn',
  'chat',
  'posts',
  'changelog',
  'billing',
  'inference-endpoints',
  'terms-of-service',
  'privacy',
  'welcome',
]);

/** decodeURIComponent that gives null instead of throwing on a malformed escape. */
export function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export interface RepoUrlParts {
  repo: string;
  repoType: RepoType;
  /** Raw (still encoded) path segments after owner/name. */
  rest: string[];
}

/**
 * Splits a huggingface.co pathname into repo and the rest. Model repos are /{owner}/{name}, the others
 * /datasets/... and /spaces/...; Hub sections (/models, /settings, /docs...) are not repos.
 */
export function parseRepoPathname(pathname: string): RepoUrlParts | null {
  // '/a/b/' -> ['a', 'b']
  const segs = pathname.split('/').slice(1);
  while (segs.length > 0 && segs[segs.length - 1] === '') segs.pop();
  let repoType: RepoType = 'model';
  let start = 0;
  if (segs[0] === 'datasets' || segs[0] === 'spaces') {
    repoType = segs[0] === 'datasets' ? 'dataset' : 'space';
    start = 1;
  } else if (segs[0] === undefined || RESERVED_FIRST_SEGMENTS.has(segs[0])) {
    return null;
  }
  const owner = safeDecode(segs[start] ?? '');
  const name = safeDecode(segs[start + 1] ?? '');
  if (!owner || !name) return null;
  return { repo: `${owner}/${name}`, repoType, rest: segs.slice(start + 2) };
}

/** Joins URL path segments into a repo path, decoding each; null when one is malformed. */
export function decodePathSegments(segments: readonly string[]): string | null {
  const parts: string[] = [];
  for (const seg of segments) {
    if (seg === '') continue;
    const decoded = safeDecode(seg);
    if (decoded === null) return null;
    parts.push(decoded);
  }
  return parts.join('/');
}
