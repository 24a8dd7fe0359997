// What a control shows inside its closed shadow root. Remote strings (file names, messages) are
// rendered as text by Preact, never as markup.

import { formatBytes, shortCommit } from '../utils/format';
import { t } from '../utils/i18n';
import type { ControlState } from './control-state';

export function CheckControl({ view, now = Date.now() }: { view: ControlState; now?: number }) {
  switch (view.state) {
    case 'idle':
      return <span class="label">{t('controlIdle')}</span>;
    case 'queued':
      return (
        <span class="label busy">
          {view.position ? t('controlQueuedAt', view.position) : t('controlQueued')}
        </span>
      );
    case 'waiting':
      return (
        <span class="label busy">
          {t('controlWaiting', Math.max(1, Math.ceil((view.until - now) / 1000)))}
        </span>
      );
    case 'checking':
      return <span class="label busy">{t('controlChecking')}</span>;
    case 'done': {
      const { result } = view;
      const size = formatBytes(result.sizeBytes);
      const text =
        result.shards > 1
          ? t('resultShards', size, result.shards, shortCommit(result.commit))
          : t('resultSize', size, shortCommit(result.commit));
      return (
        <span class="label done" role="status">
          {text}
          {result.messages.map((m) => (
            <span class="message">{m}</span>
          ))}
        </span>
      );
    }
    case 'error':
      return (
        <span class="label error" role="alert">
          {view.error.message}
          {view.error.retryable ? <span class="retry"> · {t('controlRetry')}</span> : null}
        </span>
      );
  }
}
