// The user-timing entries in which the content script records its main-thread work on a page:
// reading and annotating it, and annotating rows of a long list as they scroll into view.
// bench/page-cost.ts sums them from the page. Its own module: the bench runs in Node, without the UI.

export const ANNOTATE_MEASURE = 'gpustack-check:annotate';

export function measure(started: number): void {
  performance.measure(ANNOTATE_MEASURE, { start: started });
}
