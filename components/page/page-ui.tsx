// The page's drawing once a control leaves its idle state: the verdict and its popover, a bulk
// run's progress, our own quantization list on model cards. A module of its own (entrypoints/
// page-ui.ts), imported when the page first needs it (utils/page/ui-loader.ts); it knows the
// page session only through utils/page/contract.ts.

import { render } from 'preact';
import { setMessageTemplates, t } from '../../utils/common/i18n';
import { quantLabel } from '../../utils/lib/gguf-names';
import { PAGE_UI_GLOBAL, type PageUi } from '../../utils/page/contract';
import { CheckControl } from '../shared/CheckControl';
import { BulkBar } from './BulkBar';
import { PopoverPanel } from './PopoverPanel';

// The mounts Preact draws into. The first time, it clears what the session drew there without it.
const owned = new WeakSet<HTMLElement>();

function own(mount: HTMLElement): void {
  if (owned.has(mount)) return;
  owned.add(mount);
  mount.replaceChildren();
}

export const pageUi: PageUi = {
  setStrings(templates) {
    setMessageTemplates(templates);
  },
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
