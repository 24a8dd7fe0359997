// Where the content script's main-thread work on a page starts and ends, for bench/page-cost.ts:
// reading and annotating the page (and rows of a long list as they near the viewport), and, apart
// from that, sending messages to the worker (the first one connects to the extension runtime) and
// the page UI's drawing of a control or the bulk bar. Its own module: the bench runs in Node,
// without the UI.
// Each piece of work runs inside timed(), between two console time stamps, NAME:start and NAME:end
// (pieces of one name may nest; the bench counts the outermost): events in a trace, with the wall clock and the thread's CPU clock, so the bench can tell the work's own time
// from time the thread waited for a core. Outside a trace they cost next to nothing and leave
// nothing behind (user-timing marks would fill the page's performance timeline, and the first one
// costs the page half a millisecond). Not every console has them (happy-dom's).

export const ANNOTATE_TIMING = 'gpustack-check:annotate';
export const MESSAGE_TIMING = 'gpustack-check:message';
export const PAINT_TIMING = 'gpustack-check:paint';

/** Runs `work` between NAME:start and NAME:end stamps: every start has its end, whatever returns or throws. */
export function timed<T>(name: string, work: () => T): T {
  console.timeStamp?.(`${name}:start`);
  try {
    return work();
  } finally {
    console.timeStamp?.(`${name}:end`);
  }
}
