// What a 2.x server offers: its clusters, and the inference backends that can serve a GGUF file.
// GPUStack declares no "serves GGUF" flag: its UI refuses GGUF with the built-in backends (vLLM,
// SGLang, MindIE, VoxBox) and asks the user to add one that serves it. So a backend counts when it
// is not built in, is enabled, and its name, description, image or command mention llama.cpp or
// GGUF: the community "llama.cpp" (2.1+, listed once enabled) and user-added "…-custom" ones.

import { isRecord } from './http';

const BUILT_IN = new Set(['vllm', 'sglang', 'mindie', 'voxbox', 'ascend-mindie']);
/** The placeholder "Custom" backend needs an image and a command of its own; it names no server. */
const PLACEHOLDER = 'custom';
const GGUF_HINT = /llama|gguf|ggml/i;

export interface Cluster {
  id: number;
  name: string;
}

export function clustersOf(items: unknown[]): Cluster[] {
  const clusters: Cluster[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.id !== 'number' || !Number.isInteger(item.id)) continue;
    clusters.push({ id: item.id, name: typeof item.name === 'string' ? item.name : `#${item.id}` });
  }
  return clusters;
}

/** Every string in a backend's description of itself, for the GGUF hint. */
function textOf(backend: Record<string, unknown>): string {
  const parts: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (depth > 3) return;
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (const v of value) collect(v, depth + 1);
    else if (isRecord(value)) for (const v of Object.values(value)) collect(v, depth + 1);
  };
  for (const field of [
    'backend_name',
    'description',
    'default_run_command',
    'version_configs',
    'built_in_version_configs',
  ]) {
    collect(backend[field], 0);
  }
  return parts.join(' ');
}

/** Names of the user-added backends that look like they serve GGUF, in the server's order. */
export function ggufBackendsOf(items: unknown[]): string[] {
  const names: string[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.backend_name !== 'string') continue;
    const name = item.backend_name;
    const lower = name.toLowerCase();
    if (item.is_built_in === true || BUILT_IN.has(lower) || lower === PLACEHOLDER) continue;
    // 2.1+ says whether a backend is on (routes/inference_backend.py); 2.0 has no such field.
    if (item.enabled === false) continue;
    if (GGUF_HINT.test(textOf(item)) && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Every backend name the server lists (to tell whether a saved choice still exists). */
export function backendNamesOf(items: unknown[]): string[] {
  return items.flatMap((item) =>
    isRecord(item) && typeof item.backend_name === 'string' && item.enabled !== false
      ? [item.backend_name]
      : [],
  );
}
