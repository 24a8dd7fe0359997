// The fake Hub's data: repos, their files and revisions, and the JSON shapes the Hub's API returns for
// them. Hashes are fake but deterministic, so tests and caches see stable values across runs.

import { createHash } from 'node:crypto';

export interface FakeFile {
  /** Path inside the repo, `/`-separated (may contain spaces, #, ?, unicode). */
  path: string;
  /** Declared size in bytes (LFS files; may be many GB: the bytes are never allocated). */
  size?: number;
  /** Bytes at the start of an LFS file (e.g. a GGUF header); the rest up to `size` reads as zeros. */
  header?: Uint8Array;
  /** A small regular (non-LFS) file, served directly by /resolve/ with 200. */
  content?: string | Uint8Array;
}

export interface FakeRepo {
  /** `owner/name`. */
  id: string;
  /** Commit of `main` (40 hex). */
  sha: string;
  /** Branch or tag -> commit. `main` defaults to `sha`. All revisions share `files`. */
  revisions?: Record<string, string>;
  /** Gated repos keep metadata public but refuse /resolve/ without `Authorization: Bearer`. */
  gated?: boolean | 'auto' | 'manual';
  files: FakeFile[];
  /** Defaults to ['gguf'] when the repo has a .gguf file. */
  tags?: string[];
  likes?: number;
  downloads?: number;
  lastModified?: string;
  /** Extra fields merged into /api/models/{repo} (e.g. `gguf: {total, architecture, ...}`). */
  info?: Record<string, unknown>;
}

/** One item of /api/models search results. */
export interface SearchModel {
  id: string;
  likes?: number;
  downloads?: number;
  tags?: string[];
  lastModified?: string;
  [field: string]: unknown;
}

/** The size LFS pointer files have on the Hub. */
export const LFS_POINTER_SIZE = 135;
const DEFAULT_DATE = '2025-01-01T00:00:00.000Z';
const HEX40 = /^[0-9a-f]{40}$/;

/** A stable fake hex digest of `parts`. */
export function fakeHash(algorithm: 'sha1' | 'sha256', ...parts: (string | number)[]): string {
  return createHash(algorithm).update(parts.join('\0')).digest('hex');
}

/** A deterministic 40-hex commit id for tests that need one. */
export function fakeSha(seed: string): string {
  return fakeHash('sha1', 'commit', seed);
}

export function isLfs(file: FakeFile): boolean {
  return file.content === undefined;
}

/** What a file's bytes are: `prefix` followed by zeros up to `size`. */
export interface ByteSource {
  prefix: Uint8Array;
  size: number;
}

export function byteSource(file: FakeFile): ByteSource {
  if (file.content !== undefined) {
    const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    return { prefix: bytes, size: bytes.length };
  }
  return { prefix: file.header ?? new Uint8Array(0), size: file.size ?? 0 };
}

export function fileSize(file: FakeFile): number {
  return byteSource(file).size;
}

/** Git blob id of the file (for LFS files: of its pointer). */
export function gitOid(repo: FakeRepo, file: FakeFile): string {
  return fakeHash('sha1', 'blob', repo.id, file.path, fileSize(file));
}

/** The LFS sha256 (also the CDN's ETag). */
export function lfsSha256(repo: FakeRepo, file: FakeFile): string {
  return fakeHash('sha256', 'lfs', repo.id, file.path, fileSize(file));
}

function lfsInfo(repo: FakeRepo, file: FakeFile) {
  return { sha256: lfsSha256(repo, file), size: fileSize(file), pointerSize: LFS_POINTER_SIZE };
}

export function validateRepo(repo: FakeRepo): void {
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo.id)) throw new Error(`Repo id must be owner/name: ${repo.id}`);
  if (!HEX40.test(repo.sha)) throw new Error(`Repo ${repo.id}: sha must be 40 lowercase hex`);
  for (const [rev, sha] of Object.entries(repo.revisions ?? {})) {
    if (!HEX40.test(sha)) throw new Error(`Repo ${repo.id}: revision ${rev} must map to 40 hex`);
  }
  const seen = new Set<string>();
  for (const file of repo.files) {
    if (!file.path || file.path.startsWith('/') || file.path.endsWith('/')) {
      throw new Error(`Repo ${repo.id}: bad file path ${JSON.stringify(file.path)}`);
    }
    if (seen.has(file.path)) throw new Error(`Repo ${repo.id}: duplicate file ${file.path}`);
    seen.add(file.path);
    if (isLfs(file)) {
      if (!Number.isSafeInteger(file.size) || (file.size as number) < 0) {
        throw new Error(`Repo ${repo.id}: LFS file ${file.path} needs a size`);
      }
      if ((file.header?.length ?? 0) > (file.size as number)) {
        throw new Error(`Repo ${repo.id}: header of ${file.path} is longer than its size`);
      }
    }
  }
}

/** The commit `rev` names in `repo` (branch, tag or a known commit), or undefined. */
export function resolveRevision(repo: FakeRepo, rev: string): string | undefined {
  const revisions: Record<string, string> = { main: repo.sha, ...repo.revisions };
  if (Object.hasOwn(revisions, rev)) return revisions[rev];
  if (HEX40.test(rev) && Object.values(revisions).includes(rev)) return rev;
  return undefined;
}

export function repoTags(repo: FakeRepo): string[] {
  if (repo.tags) return [...repo.tags];
  return repo.files.some((file) => file.path.toLowerCase().endsWith('.gguf')) ? ['gguf'] : [];
}

export function searchItemOf(repo: FakeRepo): SearchModel {
  return {
    id: repo.id,
    likes: repo.likes ?? 0,
    downloads: repo.downloads ?? 0,
    tags: repoTags(repo),
    lastModified: repo.lastModified ?? DEFAULT_DATE,
  };
}

/** A search result as /api/models lists it. */
export function searchJson(model: SearchModel): Record<string, unknown> {
  return {
    _id: fakeHash('sha1', 'id', model.id).slice(0, 24),
    ...model,
    id: model.id,
    modelId: model.id,
    likes: model.likes ?? 0,
    downloads: model.downloads ?? 0,
    tags: model.tags ?? [],
    lastModified: model.lastModified ?? DEFAULT_DATE,
    createdAt: model.lastModified ?? DEFAULT_DATE,
    private: false,
  };
}

/** /api/models/{repo}[/revision/{rev}] (with `blobs`: sizes and LFS info per sibling). */
export function modelInfoJson(repo: FakeRepo, commit: string, blobs: boolean): Record<string, unknown> {
  const siblings = repo.files.map((file) => {
    if (!blobs) return { rfilename: file.path };
    return {
      rfilename: file.path,
      blobId: gitOid(repo, file),
      size: fileSize(file),
      ...(isLfs(file) ? { lfs: lfsInfo(repo, file) } : {}),
    };
  });
  const gated = repo.gated === true ? 'auto' : (repo.gated ?? false);
  return {
    _id: fakeHash('sha1', 'id', repo.id).slice(0, 24),
    id: repo.id,
    modelId: repo.id,
    author: repo.id.split('/')[0],
    sha: commit,
    lastModified: repo.lastModified ?? DEFAULT_DATE,
    createdAt: repo.lastModified ?? DEFAULT_DATE,
    private: false,
    disabled: false,
    gated,
    likes: repo.likes ?? 0,
    downloads: repo.downloads ?? 0,
    tags: repoTags(repo),
    siblings,
    ...(blobs ? { usedStorage: repo.files.reduce((sum, file) => sum + fileSize(file), 0) } : {}),
    ...repo.info,
  };
}

export interface TreeEntry {
  type: 'file' | 'directory';
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

function fileEntry(repo: FakeRepo, file: FakeFile): TreeEntry {
  const entry: TreeEntry = { type: 'file', oid: gitOid(repo, file), size: fileSize(file), path: file.path };
  if (isLfs(file))
    entry.lfs = { oid: lfsSha256(repo, file), size: fileSize(file), pointerSize: LFS_POINTER_SIZE };
  return entry;
}

function dirEntry(repo: FakeRepo, path: string): TreeEntry {
  return { type: 'directory', oid: fakeHash('sha1', 'tree', repo.id, path), size: 0, path };
}

function directoriesOf(repo: FakeRepo): Set<string> {
  const dirs = new Set<string>();
  for (const file of repo.files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

/**
 * /api/models/{repo}/tree/{rev}/{dir}: the entries directly in `dir` ('' for the root), or every
 * entry below it when `recursive`. Undefined when `dir` is not a directory.
 */
export function treeEntries(repo: FakeRepo, dir: string, recursive: boolean): TreeEntry[] | undefined {
  const dirs = directoriesOf(repo);
  if (dir !== '' && !dirs.has(dir)) return undefined;
  const prefix = dir === '' ? '' : `${dir}/`;
  const inScope = (path: string) =>
    path.startsWith(prefix) && (recursive || !path.slice(prefix.length).includes('/'));
  const folders = [...dirs].filter(inScope).sort();
  const files = repo.files.filter((file) => inScope(file.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  // The Hub lists folders before files.
  return [...folders.map((path) => dirEntry(repo, path)), ...files.map((file) => fileEntry(repo, file))];
}

/** POST /api/models/{repo}/paths-info/{rev}: entries for the paths that exist, others left out. */
export function pathsInfo(repo: FakeRepo, paths: string[]): TreeEntry[] {
  const dirs = directoriesOf(repo);
  const entries: TreeEntry[] = [];
  for (const path of paths) {
    const file = repo.files.find((candidate) => candidate.path === path);
    if (file) entries.push(fileEntry(repo, file));
    else if (dirs.has(path)) entries.push(dirEntry(repo, path));
  }
  return entries;
}

/** Opaque CDN token naming one file of one commit (what a signed Xet URL stands for). */
export function cdnToken(repoId: string, commit: string, path: string): string {
  return Buffer.from(JSON.stringify([repoId, commit, path])).toString('base64url');
}

export function parseCdnToken(token: string): { repoId: string; commit: string; path: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string')) {
      const [repoId, commit, path] = value as [string, string, string];
      return { repoId, commit, path };
    }
  } catch {
    // Not a token of ours.
  }
  return undefined;
}
