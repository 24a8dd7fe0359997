// A GPUStack cluster's workers as a hardware profile: each GPU's total and already allocated memory,
// RAM, what the worker keeps back for the system, unified memory. Only what the server's scheduler
// would count: 2.x leaves out workers that are provisioning, being deleted or in error.

import { formatBytes } from '../format';
import {
  DEFAULT_RESERVED,
  type GpuProfile,
  type HardwareProfile,
  type WorkerProfile,
} from '../hardware/profile';
import { t } from '../i18n';
import { isRecord } from './http';

const SKIPPED_STATES = new Set(['provisioning', 'deleting', 'error']);

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

export function workerOf(raw: unknown): WorkerProfile | null {
  const worker = record(raw);
  if (typeof worker.state === 'string' && SKIPPED_STATES.has(worker.state)) return null;
  const status = record(worker.status);
  const memory = record(status.memory);
  const reserved = record(worker.system_reserved);
  const gpus = (Array.isArray(status.gpu_devices) ? status.gpu_devices : [])
    .map(gpuOf)
    .filter((g): g is GpuProfile => g !== null);
  return {
    name: typeof worker.name === 'string' ? worker.name : '?',
    gpus,
    ramBytes: num(memory.total) ?? 0,
    ramAllocatedBytes: num(memory.allocated) ?? 0,
    reserved: {
      ramBytes: num(reserved.ram) ?? DEFAULT_RESERVED.ramBytes,
      vramBytes: num(reserved.vram) ?? DEFAULT_RESERVED.vramBytes,
    },
    unifiedMemory: memory.is_unified_memory === true,
  };
}

/** "2 × NVIDIA RTX 4090 24.00 GiB, 1 × Apple M2 Max 96.00 GiB, 160.00 GiB RAM (GPUStack at host)". */
export function profileOf(rawWorkers: unknown[], host: string): HardwareProfile {
  const workers = rawWorkers.map(workerOf).filter((w): w is WorkerProfile => w !== null);
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
