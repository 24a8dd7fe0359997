// One stacked bar per device (each GPU, and the RAM): where the memory goes, drawn against what the
// device has free, so what doesn't fit, and by how much, shows at a glance.

import { type MessageKey, t } from '../../utils/common/i18n';
import type { DeviceUse } from '../../utils/common/result';
import { formatBytes } from '../../utils/lib/format';

type Part = 'weights' | 'kvCache' | 'compute' | 'projector' | 'footprint';

const PARTS: ReadonlyArray<readonly [Part, MessageKey, string]> = [
  ['weights', 'popoverWeights', '#6366f1'],
  ['kvCache', 'popoverKvCache', '#06b6d4'],
  ['compute', 'popoverCompute', '#f59e0b'],
  ['projector', 'popoverProjector', '#ec4899'],
  ['footprint', 'popoverOther', '#94a3b8'],
];

function DeviceBar({ device: d }: { device: DeviceUse }) {
  const parts = PARTS.map(([part, , color]) => [part, Math.max(0, d[part]), color] as const);
  const sum = parts.reduce((total, [, bytes]) => total + bytes, 0);
  const cap = d.capacity;
  const scale = Math.max(sum, d.claim, cap ?? 0) || 1;
  const pct = (bytes: number) => `${((100 * bytes) / scale).toFixed(2)}%`;
  const over = cap !== undefined && d.claim > cap ? d.claim - cap : 0;
  const name = d.kind === 'cpu' ? t('popoverRam') : d.name;
  let numbers =
    cap === undefined ? formatBytes(d.claim) : t('popoverOf', formatBytes(d.claim), formatBytes(cap));
  if (over) numbers += ` · ${t('popoverOver', formatBytes(over))}`;
  return (
    <div class={over ? 'dev over' : 'dev'}>
      <div class="row">
        <span>{name}</span>
        <span>{numbers}</span>
      </div>
      {/* The row above says it in words; the bar is for the eye. */}
      <div class="bar" aria-hidden="true">
        {parts.map(([part, bytes, color]) =>
          bytes > 0 ? <i class={part} style={{ width: pct(bytes), background: color }} /> : null,
        )}
        {over ? <i class="spill" style={{ left: pct(cap ?? 0), width: pct(over) }} /> : null}
        {cap !== undefined ? <i class="cap" style={{ left: pct(cap) }} /> : null}
      </div>
    </div>
  );
}

export function DeviceBars({ devices }: { devices: DeviceUse[] }) {
  return (
    <div>
      {devices.map((device) => (
        <DeviceBar device={device} />
      ))}
      <div class="legend">
        {PARTS.map(([, key, color]) => (
          <span>
            <i style={{ background: color }} />
            {t(key)}
          </span>
        ))}
      </div>
    </div>
  );
}
