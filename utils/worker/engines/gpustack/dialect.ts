// What a GPUStack server of a given version does differently, as read from its source (tags
// v0.6.0 – v2.2.3 of github.com/gpustack/gpustack and gpustack-ui). Every rule names the tag where it
// starts; tests/e2e/support/gpustack-api.ts impersonates the same versions from the same source.

/** The API a server speaks: 0.x serves /v1, 2.x serves /v2 (there is no 1.x). */
export type Generation = 'v1' | 'v2';

/** What a server said of itself, and the API it was found to speak. */
export interface GenerationInfo {
  generation: Generation;
  /** As /version said it, e.g. "v0.6.1". */
  version: string;
}

/** The versions that behave alike, named by the first release of each. */
export type VersionGroup = '0.6' | '0.7' | '2.0.0' | '2.0.2' | '2.1.0' | '2.1.1' | '2.2';

const GROUPS: readonly VersionGroup[] = ['0.6', '0.7', '2.0.0', '2.0.2', '2.1.0', '2.1.1', '2.2'];

export interface Dialect {
  group: VersionGroup;
  /** API prefix: 0.x serves /v1, 2.x serves /v2 (there is no 1.x). */
  generation: Generation;
  /**
   * 2.0.2+: a failure while reading the model (Hugging Face, the file, gguf-parser) comes back as
   * `compatible: false` with the error text, and the server caches it for an hour
   * (v2.0.2 scheduler/evaluator.py:361-366). Before, it is `error: true` and not cached.
   */
  failuresAsIncompatible: boolean;
  /**
   * 2.1.0+: a spec without `backend` makes BackendFrameworkFilter drop every worker; only an explicit
   * "Custom" skips the filter (v2.1.0 policies/worker_filters/backend_framework_filter.py:162-163).
   */
  backendRequired: boolean;
  /** 2.2+: an unknown or invisible cluster_id is a 404 "Cluster not found" (routes/model_evaluations.py:31-35). */
  clusterNotFound404: boolean;
  /** 2.2+: keys belong to an organisation; evaluations need its owner (routes/routes.py:74,285). */
  organisations: boolean;
  /** What the official UI sends for a GGUF file of its version (gpustack-ui hooks/index.ts, forms/*). */
  ui: {
    /** 0.x: true (form initial value); 2.x: left out unless ticked (forms/advance-config.tsx). */
    cpuOffloading: boolean;
    /** 0.x – 2.1: true; 2.2 hides the field for non-built-in backends (advance-config.tsx:110). */
    distributedForCustomBackend: boolean;
    /** 0.7+: description "", worker_selector {}. */
    describes: boolean;
    /** 2.0+: extended_kv_cache / speculative_config off, generic_proxy false. */
    v2Fields: boolean;
    /** 2.1+: enable_model_route true. */
    modelRoute: boolean;
  };
  /**
   * --system-reserved when a worker does not say: 2 GiB RAM and 1 GiB VRAM up to 2.0.1, nothing
   * from 2.0.2 (v2.0.2 config/config.py:237-238).
   */
  defaultReserved: { ramBytes: number; vramBytes: number };
  /** The server says a major version newer than any here, and was probed to speak /v2. */
  newerThanKnown: boolean;
}

const GIB = 1024 ** 3;

interface Semver {
  major: number;
  minor: number;
  patch: number;
}

/** "v2.1.0", "2.2.3rc1" as numbers; null for anything else. */
export function parseVersion(version: string): Semver | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/**
 * The group a version belongs to; null for dev builds (0.0.0, "main") and majors this extension does
 * not know (1.x was never released; 3.x may move the API), which are probed instead.
 */
export function groupOf(version: string): VersionGroup | null {
  const v = parseVersion(version);
  if (!v || (v.major === 0 && v.minor === 0 && v.patch === 0)) return null;
  if (v.major === 0) return v.minor <= 6 ? '0.6' : '0.7';
  if (v.major !== 2) return null;
  if (v.minor === 0) return v.patch <= 1 ? '2.0.0' : '2.0.2';
  if (v.minor === 1) return v.patch === 0 ? '2.1.0' : '2.1.1';
  return '2.2';
}

/** A group's rules. */
export function dialectFor(group: VersionGroup, newerThanKnown = false): Dialect {
  const at = (first: VersionGroup) => GROUPS.indexOf(group) >= GROUPS.indexOf(first);
  const v2 = at('2.0.0');
  return {
    group,
    generation: v2 ? 'v2' : 'v1',
    failuresAsIncompatible: at('2.0.2'),
    backendRequired: at('2.1.0'),
    clusterNotFound404: at('2.2'),
    organisations: at('2.2'),
    ui: {
      cpuOffloading: !v2,
      distributedForCustomBackend: !at('2.2'),
      describes: at('0.7'),
      v2Fields: v2,
      modelRoute: at('2.1.0'),
    },
    defaultReserved: at('2.0.2') ? { ramBytes: 0, vramBytes: 0 } : { ramBytes: 2 * GIB, vramBytes: GIB },
    newerThanKnown,
  };
}

/**
 * The rules for a server as detected: its version's group, or for a build whose version says
 * nothing (or a newer major that answered on /v2) the newest group of the API it speaks.
 */
export function dialectOf(info: GenerationInfo): Dialect {
  const group = groupOf(info.version);
  if (group && dialectFor(group).generation === info.generation) return dialectFor(group);
  const v = parseVersion(info.version);
  const newer = v !== null && v.major > 2;
  return dialectFor(info.generation === 'v1' ? '0.7' : '2.2', newer);
}
