// The control's host element: a `<gpustack-check>` beside a file. The host itself is the button
// (role, tabindex, aria-label, click / Enter / Space) and carries the automation contract's data-*
// attributes; everything it shows lives in a CLOSED shadow root, so page scripts cannot read the
// user's hardware or server details.

import { render } from 'preact';
import { t } from '../utils/i18n';
import { CheckControl } from './CheckControl';
import css from './check-control.css?inline';
import { writeAttributes } from './control-attributes';
import type { ControlState } from './control-state';

export const HOST_TAG = 'gpustack-check';

export interface CheckHost {
  element: HTMLElement;
  file: string;
  show(view: ControlState): void;
  view(): ControlState;
}

export function createCheckHost(
  doc: Document,
  target: { repo: string; revision: string; file: string },
  onActivate: (host: CheckHost) => void,
): CheckHost {
  const element = doc.createElement(HOST_TAG);
  element.setAttribute('role', 'button');
  element.setAttribute('tabindex', '0');
  element.setAttribute('aria-label', t('checkLabel'));
  element.dataset.repo = target.repo;
  element.dataset.revision = target.revision;
  element.dataset.file = target.file;

  const root = element.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = css;
  root.append(style);
  const mount = doc.createElement('span');
  mount.setAttribute('aria-live', 'polite');
  root.append(mount);

  let current: ControlState = { state: 'idle' };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const paint = () => render(<CheckControl view={current} />, mount);
  const host: CheckHost = {
    element,
    file: target.file,
    show(view) {
      current = view;
      writeAttributes(element, view);
      paint();
      // A rate-limit wait counts down once a second; nothing ticks otherwise.
      clearInterval(ticker);
      ticker = view.state === 'waiting' ? setInterval(paint, 1000) : undefined;
    },
    view: () => current,
  };

  const activate = (event: Event) => {
    // The control sits inside links and rows: the page must not follow the link too.
    event.preventDefault();
    event.stopPropagation();
    const state = current.state;
    if (state === 'idle' || state === 'error' || state === 'done') onActivate(host);
  };
  element.addEventListener('click', activate);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') activate(event);
  });
  host.show(current);
  return host;
}
