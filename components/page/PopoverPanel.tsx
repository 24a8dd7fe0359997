// The details behind a verdict, opened from its control: per-device bars, the numbers, the hardware
// and engine measured against, the engine's own messages (as text), a context size to re-estimate
// with (built-in engine only) and "check again". Lives in the control's closed shadow root.

import { t } from '../../utils/common/i18n';
import { agoText, memoryText, verdictOf } from '../../utils/common/verdict-text';
import { formatBytes } from '../../utils/lib/format';
import type { PopoverProps } from '../../utils/page/contract';
import { DeviceBars } from '../shared/DeviceBars';

// 2K to 128K tokens.
const CONTEXT_SIZES = [11, 12, 13, 14, 15, 16, 17].map((power) => 2 ** power);

export function PopoverPanel(p: PopoverProps) {
  const r = p.result;
  const verdict = verdictOf(r);
  const ctx = p.contextSize ?? r.contextSize;
  const sizes = ctx && !CONTEXT_SIZES.includes(ctx) ? [ctx, ...CONTEXT_SIZES] : CONTEXT_SIZES;
  return (
    <div
      class="pop"
      role="dialog"
      aria-label={t('popoverLabel')}
      style={{ left: p.place.left, top: p.place.top, bottom: p.place.bottom }}
      // Clicks and keys in here are the popover's: not the control's (toggle, check) nor the page's.
      onClick={(event) => event.stopPropagation()}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Escape') p.onClose();
      }}
    >
      <div class="row">
        <b class={`v-${verdict.tone}`}>{verdict.text}</b>
        <button type="button" class="x" aria-label={t('popoverClose')} onClick={p.onClose}>
          ×
        </button>
      </div>
      <p>{r.file}</p>
      <p>
        {memoryText(r)}
        {r.offloadedLayers !== undefined && r.totalLayers !== undefined
          ? ` · ${t('popoverLayers', r.offloadedLayers, r.totalLayers)}`
          : ''}
        {` · ${t('popoverSize', formatBytes(r.sizeBytes))}`}
      </p>
      {r.breakdown ? <DeviceBars devices={r.breakdown.devices} /> : null}
      {r.messages.map((message) => (
        <p>{message}</p>
      ))}
      <p class="mute">
        {r.hardware ? t('popoverHardware', r.hardware.label) : null}
        {r.hardware ? <br /> : null}
        {t(r.engine === 'builtin' ? 'popoverEngineBuiltin' : 'popoverEngineGpustack')} ·{' '}
        {agoText(r.checkedAt, p.now)}
      </p>
      <div class="row">
        {r.engine === 'builtin' ? (
          <label>
            {t('popoverContext')}{' '}
            <select
              value={String(ctx ?? '')}
              disabled={p.busy}
              onChange={(event) => p.onCheck(Number(event.currentTarget.value))}
            >
              {sizes.map((size) => (
                <option value={String(size)}>{size.toLocaleString()}</option>
              ))}
            </select>
          </label>
        ) : (
          <span />
        )}
        <button type="button" disabled={p.busy} onClick={() => p.onCheck(p.contextSize)}>
          {p.busy ? t('controlChecking') : t('popoverAgain')}
        </button>
      </div>
    </div>
  );
}
