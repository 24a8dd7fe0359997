// A GPUStack cluster's workers as its scheduler sees them: each GPU's total and already allocated
// memory, RAM, what the worker keeps back for the system, unified memory, and the cluster. Only
// `ready` workers count: StatusFilter drops every other state before placing a model
// (policies/worker_filters/status_filter.py, every tag from v0.6.0 to v2.2.3).

import { t } from '../../../common/i18n';
import { formatBytes } from '../../../lib/format';
import type { GpuProfile, HardwareProfile, WorkerProfile } from '../../../lib/hardware';
import type { Dialect } from './dialect';
import { isRecord } from './http';

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

function gpuOf(raw: unknown): GpuProfile | null {
  const gpu = record(raw);
  const memory = record(gpu.memory);
  const total = num(memory.total);
  if (total === undefined) return null;
  return {
    name: typeof gpu.name === 'string' && gpu.name ? gpu.name : 'GPU',
    memoryBytes: total,
    allocatedBytes: num(memory.allocated) ?? 0,
  };
}

/** One worker, or null when the scheduler would not use it (not `ready`). */
export function workerOf(raw: unknown, dialect: Pick<Dialect, 'defaultReserved'>): WorkerProfile | null {
  const worker = record(raw);
  if (worker.state !== 'ready') return null;
  const status = record(worker.status);
  const memory = record(status.memory);
  const reserved = record(worker.system_reserved);
  const gpus = (Array.isArray(status.gpu_devices) ? status.gpu_devices : [])
    .map(gpuOf)
    .filter((g): g is GpuProfile => g !== null);
  const cluster = worker.cluster_id;
  return {
    name: typeof worker.name === 'string' ? worker.name : '?',
    gpus,
    ramBytes: num(memory.total) ?? 0,
    ramAllocatedBytes: num(memory.allocated) ?? 0,
    // Workers report it in bytes; the version's default when one does not.
    reserved: {
      ramBytes: num(reserved.ram) ?? dialect.defaultReserved.ramBytes,
      vramBytes: num(reserved.vram) ?? dialect.defaultReserved.vramBytes,
    },
    unifiedMemory: memory.is_unified_memory === true,
    ...(typeof cluster === 'number' && Number.isInteger(cluster) ? { cluster } : {}),
  };
}

/** The workers the scheduler would use. */
export function workersOf(rawWorkers: unknown[], dialect: Pick<Dialect, 'defaultReserved'>): WorkerProfile[] {
  return rawWorkers.map((w) => workerOf(w, dialect)).filter((w): w is WorkerProfile => w !== null);
}

/**
 * The most VRAM one worker (of `cluster`, when given) has in all: a claim above it needs several
 * workers. Null when no worker has a GPU.
 */
export function largestWorkerVram(workers: WorkerProfile[], cluster: number | null): number | null {
  const sums = workers
    .filter((w) => cluster === null || w.cluster === cluster)
    .filter((w) => w.gpus.length > 0)
    .map((w) => w.gpus.reduce((sum, g) => sum + Math.max(0, g.memoryBytes - w.reserved.vramBytes), 0));
  return sums.length > 0 ? Math.max(...sums) : null;
}

/** "2 × NVIDIA RTX 4090 24.00 GiB, 1 × Apple M2 Max 96.00 GiB, 160.00 GiB RAM (GPUStack at host)". */
export function profileOf(
  rawWorkers: unknown[],
  host: string,
  dialect: Pick<Dialect, 'defaultReserved'>,
): HardwareProfile {
  const workers = workersOf(rawWorkers, dialect);
  const groups = new Map<string, number>();
  for (const gpu of workers.flatMap((w) => w.gpus)) {
    const name = `${gpu.name} ${formatBytes(gpu.memoryBytes)}`;
    groups.set(name, (groups.get(name) ?? 0) + 1);
  }
  const gpuText = groups.size
    ? [...groups].map(([name, count]) => `${count} × ${name}`).join(', ')
    : t('gpustackProfileNoGpu');
  const ram = workers.reduce((sum, w) => sum + w.ramBytes, 0);
  const hardware = `${gpuText}, ${t('gpustackProfileRam', formatBytes(ram))}`;
  return { source: 'gpustack', label: t('gpustackProfileLabel', hardware, host), workers };
}
