// Hub URLs with every path segment encoded: file names may hold spaces, '#', '?', unicode or markup.

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function encodeRepo(repo: string): string {
  return encodePath(repo);
}

/** Model info with every file's size: GET /api/models/{repo}/revision/{rev}?blobs=true */
export function apiModelUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${encodeRepo(repo)}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** File bytes: GET /{repo}/resolve/{rev}/{path} */
export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  return `${endpoint}/${encodeRepo(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
}
