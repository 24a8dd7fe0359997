// The opt-in "Check all quantizations" button with its progress, cancel and the best fit, in a
// `<gpustack-bulk>` host; on model cards without a quantization list of their own, the same bar heads
// our list of the repo's quantizations in a `<gpustack-quants>` host (utils/content/quant-sidebar.ts).
// Both draw in a closed shadow root; one button swaps between start and cancel, so focus stays on
// it. The host mirrors the run in data-state / data-done / data-total for automation.

import { render } from 'preact';
import { type CheckHost, shadowMount } from '../../components/check-host';
import { t } from '../i18n';
import { quantLabel } from './quant-sidebar';

export interface BulkView {
  phase: 'idle' | 'running' | 'done' | 'cancelled';
  done: number;
  total: number;
  /** After a complete run: the quantization to pick, or null when none fits entirely on GPU. */
  best?: string | null;
}

export interface BulkActions {
  start(): void;
  cancel(): void;
}

export interface BulkHost {
  element: HTMLElement;
  show(view: BulkView): void;
}

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

/**
 * The bar alone, or (given `listed`) the bar over a list of quantizations whose controls are real
 * `<gpustack-check>` children of the host, slotted into their rows: the automation contract's
 * attributes stay readable on them.
 */
export function createBulkHost(doc: Document, actions: BulkActions, listed?: CheckHost[]): BulkHost {
  const element = doc.createElement(listed ? 'gpustack-quants' : 'gpustack-bulk');
  const mount = shadowMount(element);
  listed?.forEach((host, i) => {
    host.element.slot = `q${i}`;
    element.append(host.element);
  });
  // The idle bar alone is drawn without Preact (as idle controls are: components/CheckControl.tsx);
  // Preact takes over when a run starts, and the button keeps the focus it had.
  let preact = false;
  return {
    element,
    show(view) {
      element.dataset.state = view.phase;
      element.dataset.done = String(view.done);
      element.dataset.total = String(view.total);
      if (!preact && !listed && view.phase === 'idle') {
        if (!mount.firstChild) drawIdleBar(mount, actions);
        return;
      }
      const root = mount.getRootNode() as ShadowRoot;
      const focused =
        !preact && root.activeElement !== null && root.activeElement === mount.querySelector('button');
      if (!preact) mount.replaceChildren();
      preact = true;
      const bar = <BulkBar view={view} actions={actions} />;
      render(
        listed ? (
          <span class="panel">
            <b>{t('pageQuantsTitle')}</b>
            {bar}
            <ul>
              {listed.map((host, i) => (
                <li>
                  <span title={host.file}>{quantLabel(host.file)}</span>
                  <slot name={`q${i}`} />
                </li>
              ))}
            </ul>
          </span>
        ) : (
          bar
        ),
        mount,
      );
      if (focused) mount.querySelector('button')?.focus();
    },
  };
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
