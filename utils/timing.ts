// The user-timing entries in which the content script records its main-thread work on a page, for
// bench/page-cost.ts to sum: reading and annotating the page (and rows of a long list as they near
// the viewport), and, apart from that, sending messages to the worker (the first one connects to the
// extension runtime). Its own module: the bench runs in Node, without the UI.

export const ANNOTATE_MEASURE = 'gpustack-check:annotate';
export const MESSAGE_MEASURE = 'gpustack-check:message';

export function measure(name: string, started: number): void {
  performance.measure(name, { start: started });
}
