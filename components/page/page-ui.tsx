// The page's drawing once a control leaves its idle state: the verdict and its popover, a bulk
// run's progress, our own quantization list on model cards. A module of its own (entrypoints/
// page-ui.ts), imported when the page first needs it: utils/content/page-ui.ts says why.

import { render } from 'preact';
import type { ControlState } from '../../utils/common/control-state';
import { t } from '../../utils/common/i18n';
import type { BulkActions, BulkView } from '../../utils/page/hosts/bulk-host';
import { quantLabel } from '../../utils/page/quant-list';
import { PAGE_UI_GLOBAL } from '../../utils/page/ui-loader';
import { BulkBar } from './BulkBar';
import { CheckControl } from './CheckControl';
import { PopoverPanel, type PopoverProps } from './PopoverPanel';

export interface ControlPaint {
  view: ControlState;
  best: boolean;
  /** The popover, when open. */
  popover?: PopoverProps;
}

export interface BulkPaint {
  view: BulkView;
  actions: BulkActions;
  /** Our quantization list: the files whose controls are slotted into its rows. */
  listed?: readonly string[];
}

export interface PageUi {
  paintControl(mount: HTMLElement, paint: ControlPaint): void;
  paintBulk(mount: HTMLElement, paint: BulkPaint): void;
}

// Mounts Preact draws; the first time, what was drawn without it goes.
const owned = new WeakSet<HTMLElement>();

function own(mount: HTMLElement): void {
  if (owned.has(mount)) return;
  owned.add(mount);
  mount.replaceChildren();
}

export const pageUi: PageUi = {
  paintControl(mount, { view, best, popover }) {
    own(mount);
    render(
      <>
        <CheckControl view={view} best={best} />
        {popover ? <PopoverPanel {...popover} /> : null}
      </>,
      mount,
    );
  },
  paintBulk(mount, { view, actions, listed }) {
    const root = mount.getRootNode() as ShadowRoot;
    // The idle bar's button had the focus: its Preact twin takes it over.
    const focused =
      !owned.has(mount) &&
      root.activeElement !== null &&
      root.activeElement === mount.querySelector('button');
    own(mount);
    const bar = <BulkBar view={view} actions={actions} />;
    render(
      listed ? (
        <span class="panel">
          <b>{t('pageQuantsTitle')}</b>
          {bar}
          <ul>
            {listed.map((file, i) => (
              <li>
                <span title={file}>{quantLabel(file)}</span>
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

/** Leaves the page UI where the content script looks for it. */
export function registerPageUi(): void {
  (globalThis as Record<string, unknown>)[PAGE_UI_GLOBAL] = pageUi;
}
