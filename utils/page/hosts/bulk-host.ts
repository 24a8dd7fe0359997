// The opt-in "Check all quantizations" button with its progress, cancel and the best fit, in a
// `<gpustack-bulk>` host; on model cards without a quantization list of their own, the same bar heads
// our list of the repo's quantizations in a `<gpustack-quants>` host (utils/content/quant-sidebar.ts).
// Both draw in a closed shadow root; one button swaps between start and cancel, so focus stays on
// it. The host mirrors the run in data-state / data-done / data-total for automation.

import { t } from '../../common/i18n';
import { PAINT_TIMING, timed } from '../../common/timing';
import { type BulkActions, type BulkView, TAGS } from '../contract';
import { pageUi, whenPageUi } from '../ui-loader';
import { type CheckHost, shadowMount } from './check-host';

export interface BulkHost {
  element: HTMLElement;
  show(view: BulkView): void;
}

/**
 * The bar alone, or (given `listed`) the bar over a list of quantizations whose controls are real
 * `<gpustack-check>` children of the host, slotted into their rows: the automation contract's
 * attributes stay readable on them.
 */
export function createBulkHost(doc: Document, actions: BulkActions, listed?: CheckHost[]): BulkHost {
  const element = doc.createElement(listed ? TAGS.quants : TAGS.bulk);
  const mount = shadowMount(element);
  listed?.forEach((host, i) => {
    host.element.slot = `q${i}`;
    element.append(host.element);
  });
  // The idle bar alone is drawn here (as idle controls are: components/check-host.tsx); the page
  // UI draws from the first run on, and our quantization list. Until it is there, what was drawn
  // stays and the latest view waits for it.
  let drawn = false;
  let latest: BulkView | undefined;
  const host: BulkHost = {
    element,
    show(view) {
      element.dataset.state = view.phase;
      element.dataset.done = String(view.done);
      element.dataset.total = String(view.total);
      latest = view;
      if (!drawn && !listed && view.phase === 'idle') {
        if (!mount.firstChild) drawIdleBar(mount, actions);
        return;
      }
      const ui = pageUi();
      if (!ui) {
        whenPageUi(() => latest && host.show(latest));
        return;
      }
      drawn = true;
      timed(PAINT_TIMING, () =>
        ui.paintBulk(mount, { view, actions, ...(listed ? { listed: listed.map((h) => h.file) } : {}) }),
      );
    },
  };
  return host;
}

/** BulkBar's idle markup: the start button and an empty status. */
function drawIdleBar(mount: HTMLElement, actions: BulkActions): void {
  const doc = mount.ownerDocument;
  const bar = doc.createElement('span');
  bar.className = 'bulk';
  const button = doc.createElement('button');
  button.type = 'button';
  button.textContent = t('bulkStart');
  button.addEventListener('click', () => actions.start());
  const status = doc.createElement('span');
  status.className = 'mute';
  bar.append(button, status);
  mount.replaceChildren(bar);
}
