// The footer: what the verdicts are measured with (engine, hardware: both lead to the options), how
// much of the Hugging Face budget is left, how many requests wait, and any rate-limit wait.

import { t } from '../../utils/common/i18n';
import type { BucketStatus, WorkerStatus } from '../../utils/common/protocol';
import type { EngineChoice } from '../../utils/common/settings';

const ENGINE_NAMES: Record<EngineChoice, () => string> = {
  auto: () => t('popupEngineAuto'),
  builtin: () => t('popupEngineBuiltin'),
  gpustack: () => t('popupEngineGpustack'),
};

/** The longest wait among the buckets `test` picks, in whole seconds (0: none). */
function waitSeconds(buckets: Array<[string, BucketStatus]>, now: number, test: (name: string) => boolean) {
  let longest = 0;
  for (const [name, bucket] of buckets) {
    if (test(name) && bucket.waitingUntil !== null && bucket.waitingUntil > now) {
      longest = Math.max(longest, Math.ceil((bucket.waitingUntil - now) / 1000));
    }
  }
  return longest;
}

export function Footer(props: { status: WorkerStatus | null; now: number; onOptions(): void }) {
  const { status, now } = props;
  if (!status) return <footer class="foot" aria-busy="true" />;
  const buckets = Object.entries(status.scheduler.buckets);
  const api = status.scheduler.buckets['hf-api'];
  const queued = buckets.reduce((sum, [, bucket]) => sum + bucket.queued, 0);
  const hfWait = waitSeconds(buckets, now, (name) => name.startsWith('hf-'));
  const serverWait = waitSeconds(buckets, now, (name) => name.startsWith('gpustack:'));
  const options = (event: Event) => {
    event.preventDefault();
    props.onOptions();
  };
  return (
    <footer class="foot">
      <div class="foot-line">
        <a href="options.html" onClick={options} title={t('popupOpenOptions')} data-footer="engine">
          {t('popupEngine', ENGINE_NAMES[status.engine]?.() ?? status.engine)}
        </a>
        <span data-footer="queue">{t('popupQueue', queued)}</span>
        {api ? <span data-footer="budget">{t('popupBudget', api.remaining, api.quota)}</span> : null}
        <a
          href="options.html"
          onClick={options}
          title={`${status.hardware.label} · ${t('popupOpenOptions')}`}
          data-footer="hardware"
        >
          {t('popupHardware', status.hardware.label)}
        </a>
      </div>
      {hfWait > 0 ? (
        <div class="foot-wait" role="status" data-footer="wait">
          {t('popupWaiting', hfWait)}
        </div>
      ) : null}
      {serverWait > 0 ? (
        <div class="foot-wait" role="status" data-footer="server-wait">
          {t('popupWaitingServer', serverWait)}
        </div>
      ) : null}
    </footer>
  );
}
