// The automation contract's data-* attributes, written on any element that shows a check: the page's
// <gpustack-check> hosts and the popup's verdicts alike.

import type { ControlState } from './control-state';

export function writeAttributes(element: HTMLElement, view: ControlState): void {
  const data = element.dataset;
  data.state = view.state;
  for (const name of [
    'compatible',
    'placement',
    'vramBytes',
    'ramBytes',
    'engine',
    'caveat',
    'retryable',
  ] as const) {
    delete data[name];
  }
  if (view.state === 'done') {
    const { result } = view;
    data.engine = result.engine;
    if (result.compatible !== undefined) data.compatible = String(result.compatible);
    if (result.placement) data.placement = result.placement;
    if (result.vramBytes !== undefined) data.vramBytes = String(result.vramBytes);
    if (result.ramBytes !== undefined) data.ramBytes = String(result.ramBytes);
    if (result.caveats?.length) data.caveat = result.caveats.join(' ');
  } else if (view.state === 'error') {
    data.retryable = String(view.error.retryable);
  }
}
