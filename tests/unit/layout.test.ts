// The layout is the architecture: each folder says where its code runs, and imports only go the way
// ARCHITECTURE.md draws them. Page code never pulls in the worker (it would load on every Hugging
// Face page), pure domain code depends on nothing of ours and no browser API, and each UI keeps to
// itself. Import cycles, type-only ones included, are refused by biome (suspicious/noImportCycles).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Where a file runs, from its folder; the first prefix that matches. */
const LAYERS: Array<[string, string]> = [
  ['utils/lib/', 'lib'],
  ['utils/common/', 'common'],
  ['utils/worker/', 'worker'],
  ['utils/page/', 'page'],
  ['components/shared/', 'ui-shared'],
  ['components/page/', 'page-ui'],
  ['components/popup/', 'popup'],
  ['components/options/', 'options'],
  ['entrypoints/', 'entrypoints'],
];

/** Which layers each layer may import from (itself included). */
const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  common: ['common', 'lib'],
  worker: ['worker', 'common', 'lib'],
  page: ['page', 'common', 'lib'],
  'ui-shared': ['ui-shared', 'common', 'lib'],
  // The lazy page UI knows the session only through its contract.
  'page-ui': ['page-ui', 'ui-shared', 'common', 'lib', 'utils/page/contract.ts'],
  popup: ['popup', 'ui-shared', 'common', 'lib'],
  options: ['options', 'ui-shared', 'common', 'lib'],
  entrypoints: LAYERS.map(([, layer]) => layer),
};

/** Packages a layer may not use: no browser API in pure code, no Preact on every page. */
const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  lib: /^(wxt|webextension-polyfill|preact)(\/|$)/,
  common: /^preact(\/|$)/,
  page: /^preact(\/|$)/,
  worker: /^preact(\/|$)/,
};

function layerOf(file: string): string | null {
  return LAYERS.find(([prefix]) => file.startsWith(prefix))?.[1] ?? null;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const FILES = [...sources('utils'), ...sources('components'), ...sources('entrypoints')];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** Every import of a file: the resolved repo path for our own files, the bare name for packages. */
function importsOf(file: string): Array<{ spec: string; target: string | null }> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Array<{ spec: string; target: string | null }> = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = (match[1] ?? match[2] ?? match[3]) as string;
    if (!spec.startsWith('.')) {
      out.push({ spec, target: null });
      continue;
    }
    const base = normalize(join(dirname(file), spec.split('?')[0] as string));
    const target =
      [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((p) => {
        try {
          return statSync(join(ROOT, p)).isFile();
        } catch {
          return false;
        }
      }) ?? base;
    out.push({ spec, target: relative(ROOT, join(ROOT, target)) });
  }
  return out;
}

describe('layout', () => {
  it('every source file lies in a folder that says where it runs', () => {
    expect(FILES.filter((f) => layerOf(f) === null)).toEqual([]);
    expect(FILES.length).toBeGreaterThan(100);
  });

  it('imports go only the ways ARCHITECTURE.md draws', () => {
    const wrong: string[] = [];
    for (const file of FILES) {
      const layer = layerOf(file) as string;
      for (const { spec, target } of importsOf(file)) {
        if (target === null) {
          if (FORBIDDEN_PACKAGES[layer]?.test(spec)) wrong.push(`${file} (${layer}) uses ${spec}`);
          continue;
        }
        const to = layerOf(target);
        if (to === null) continue; // locales, wxt.config: not code of a layer
        const allowed = ALLOWED[layer] ?? [];
        if (!allowed.includes(to) && !allowed.includes(target))
          wrong.push(`${file} (${layer}) -> ${target} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the rules can tell: a page file importing the scheduler would be refused', () => {
    expect(ALLOWED.page).not.toContain(layerOf('utils/worker/scheduler/scheduler.ts'));
    expect(ALLOWED.lib).toEqual(['lib']);
  });
});
