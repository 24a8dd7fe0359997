// The hardware a signed-in user saved on Hugging Face (/settings/hardware), as the page's
// MainHeader data shows it: [{"sku":["GPU","NVIDIA","RTX 4090"],"mem":24,"num":2}, ...].
// `mem` is read as GiB; "Apple Silicon" items are unified memory; CPU items give the RAM.

import { DEFAULT_RESERVED, type GpuProfile, type HardwareProfile } from '../../lib/hardware';

const GIB = 1024 ** 3;
/** When the user saved GPUs but no CPU item, RAM is unknown: assume the default profile's. */
const RAM_WHEN_UNKNOWN = 32 * GIB;

interface HardwareItem {
  type: string;
  vendor: string;
  name: string;
  memGiB: number;
  count: number;
}

function parseItem(raw: unknown): HardwareItem | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { sku, mem, num } = raw as { sku?: unknown; mem?: unknown; num?: unknown };
  if (!Array.isArray(sku) || typeof sku[0] !== 'string') return null;
  const memGiB = Number(mem);
  const count = num === undefined ? 1 : Number(num);
  if (!Number.isFinite(memGiB) || memGiB <= 0 || memGiB > 16_384) return null;
  if (!Number.isInteger(count) || count < 1 || count > 64) return null;
  return {
    type: sku[0],
    vendor: typeof sku[1] === 'string' && sku[1] !== '-' ? sku[1] : '',
    name: typeof sku[2] === 'string' ? sku[2] : sku[0],
    memGiB,
    count,
  };
}

/** A profile from the saved items, or null when they name no usable hardware. */
export function profileFromHardwareItems(items: unknown[]): HardwareProfile | null {
  const parsed = items.map(parseItem).filter((item): item is HardwareItem => item !== null);
  const gpus: GpuProfile[] = [];
  let ramBytes = 0;
  let unifiedMemory = false;
  const names: string[] = [];
  for (const item of parsed) {
    const label = `${item.count > 1 ? `${item.count} × ` : ''}${[item.vendor, item.name].filter(Boolean).join(' ')}`;
    if (item.type === 'Apple Silicon') {
      // One pool serves as RAM and VRAM.
      unifiedMemory = true;
      for (let i = 0; i < item.count; i += 1)
        gpus.push({ name: item.name, memoryBytes: item.memGiB * GIB, allocatedBytes: 0 });
      ramBytes = Math.max(ramBytes, item.memGiB * GIB);
      names.push(`${label} ${item.memGiB} GB`);
    } else if (item.type === 'GPU') {
      for (let i = 0; i < item.count; i += 1)
        gpus.push({ name: item.name, memoryBytes: item.memGiB * GIB, allocatedBytes: 0 });
      names.push(`${label} ${item.memGiB} GB`);
    } else if (item.type === 'CPU') {
      ramBytes += item.memGiB * GIB;
      names.push(`${item.memGiB} GB RAM`);
    }
  }
  if (gpus.length === 0 && ramBytes === 0) return null;
  return {
    source: 'huggingface',
    label: names.join(', '),
    workers: [
      {
        name: 'your computer',
        gpus,
        ramBytes: ramBytes || RAM_WHEN_UNKNOWN,
        ramAllocatedBytes: 0,
        reserved: DEFAULT_RESERVED,
        unifiedMemory,
      },
    ],
  };
}
