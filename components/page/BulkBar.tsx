// "Check all quantizations" and its run: the button (start, or cancel while running) and where the
// run stands. Drawn by the page UI (page-ui.tsx); utils/page/hosts/bulk-host.ts draws the idle
// bar without Preact, the same markup.

import { t } from '../../utils/common/i18n';
import type { BulkActions, BulkView } from '../../utils/page/contract';

export function BulkBar({ view, actions }: { view: BulkView; actions: BulkActions }) {
  const running = view.phase === 'running';
  let status = '';
  if (view.phase === 'cancelled') status = t('bulkCancelled', view.done, view.total);
  else if (view.phase !== 'idle') status = t('bulkProgress', view.done, view.total);
  if (view.phase === 'done') status += ` · ${view.best ? t('bulkBest', view.best) : t('bulkNoFit')}`;
  return (
    <span class="bulk">
      <button type="button" onClick={running ? actions.cancel : actions.start}>
        {t(running ? 'bulkCancel' : 'bulkStart')}
      </button>
      <span class="mute">{status}</span>
    </span>
  );
}
