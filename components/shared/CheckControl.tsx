// What a control shows inside its closed shadow root, and the popup's verdict: compact, one line.
// Remote strings (file names, messages) are rendered as text by Preact, never as markup.

import type { ControlState } from '../../utils/common/control-state';
import { t } from '../../utils/common/i18n';
import { agoText, memoryText, verdictOf } from '../../utils/common/verdict-text';

export function CheckControl({
  view,
  now = Date.now(),
  best = false,
}: {
  view: ControlState;
  now?: number;
  /** The largest quantization that fits entirely on GPU after "Check all quantizations". */
  best?: boolean;
}) {
  switch (view.state) {
    case 'idle':
      return <span class="label">{t('controlIdle')}</span>;
    case 'queued':
    case 'waiting':
    case 'checking':
      return (
        <span class="label mute">
          {view.state === 'checking'
            ? t('controlChecking')
            : view.state === 'waiting'
              ? t('controlWaiting', Math.max(1, Math.ceil((view.until - now) / 1000)))
              : view.position
                ? t('controlQueuedAt', view.position)
                : t('controlQueued')}
        </span>
      );
    case 'done': {
      const { result } = view;
      const verdict = verdictOf(result);
      return (
        <span class={`label v-${verdict.tone}`}>
          <b>{verdict.text}</b>
          <span>{memoryText(result)}</span>
          <span class="mute">{agoText(result.checkedAt, now)}</span>
          {best ? <span class="best">{t('verdictBest')}</span> : null}
        </span>
      );
    }
    case 'error':
      return (
        <span class="label v-nofit error">
          {view.error.message}
          {view.error.retryable ? <span class="mute"> · {t('controlRetry')}</span> : null}
        </span>
      );
  }
}
