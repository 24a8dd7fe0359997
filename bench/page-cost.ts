// What the content script costs a page: main-thread time to read and annotate a 500-file tree page
// in the real extension (Debian's Chromium, impersonated huggingface.co), and the size of the
// content script (the loader and the module it imports on every page). The content script stamps
// the start and end of each piece of its work (utils/timing.ts, console.timeStamp():
// 'gpustack-check:annotate' for reading the page's islands and URL, finding the files, making the
// controls, and the rows annotated as they near the viewport; 'gpustack-check:message' for posting
// to the worker; 'gpustack-check:paint' for the page UI's drawing). Each load is traced: a stamp in
// a trace carries the wall clock and the main thread's CPU clock, so each figure is the work's own
// main-thread time (thread time, the goal) and its wall time (which adds the time the thread waited
// for a core while the browser's other processes loaded the page: large and erratic on a 2-core
// machine), summed over the page's load, the median of a few loads. Also: what a first click costs
// (the page UI comes in then).

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { treePage } from '../tests/dom/tree-page-builder';
import { DEFAULT_EXTENSION_DIR, type ExtensionSession, launchExtension } from '../tests/e2e/support/browser';
import { ggufHeaderFor } from '../tests/e2e/support/fixture-pages';
import { fakeSha, startHfServer } from '../tests/e2e/support/hf-server';
import { ANNOTATE_TIMING, MESSAGE_TIMING, PAINT_TIMING } from '../utils/common/timing';
import { atMost, exactly, type Report } from './report';

const REPO = 'bench/Big-Tree-GGUF';
const SMALL_REPO = 'bench/Small-Tree-GGUF';
const FILES = 500;
// Page loads vary with what else the 2-core machine runs: enough of them for a steady median.
const LOADS = 21;
// Pages on which a control is checked for the first time (the page UI comes in).
const FIRST_CHECKS = 5;
// Loads scrolled through to the last row.
const SCROLLS = 5;
const SCROLL_GOAL_MS = 150;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** A console.timeStamp() of the content script, as the trace has it. */
interface Mark {
  name: string;
  ts: number;
  tts?: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  tts?: number;
  /** Wall and thread time of a complete event (µs). */
  dur?: number;
  tdur?: number;
  args?: { data?: { message?: string; url?: string; streamed?: boolean }; worldName?: string };
}

/**
 * Thread and wall time (ms) of the outermost NAME pieces (NAME:start … NAME:end; pieces of one name
 * may nest), summed; only the pieces that start within `[from, to)` (trace µs) when given. A start
 * without its end, or an end without its start, fails the run: an unpaired stamp would drop its
 * piece without a word.
 */
function timeBetweenMarks(
  marks: Mark[],
  name: string,
  from = 0,
  to = Infinity,
): { cpu: number; wall: number } {
  let cpu = 0;
  let wall = 0;
  let depth = 0;
  let start: Mark | undefined;
  for (const mark of marks) {
    if (mark.name === `${name}:start`) {
      if (depth === 0) start = mark;
      depth += 1;
    } else if (mark.name === `${name}:end`) {
      if (depth === 0) throw new Error(`${name}: an end stamp without its start at ${mark.ts}`);
      depth -= 1;
      if (depth === 0 && start && start.ts >= from && start.ts < to) {
        wall += (mark.ts - start.ts) / 1000;
        cpu += ((mark.tts ?? Number.NaN) - (start.tts ?? Number.NaN)) / 1000;
      }
    }
  }
  if (depth !== 0) throw new Error(`${name}: ${depth} start stamp(s) without an end`);
  return { cpu, wall };
}

interface LoadCost {
  /** Reading and annotating: thread time, wall time (ms). */
  cpu: number;
  wall: number;
  /** Posting to the worker, thread time (ms). */
  messagesCpu: number;
  /** Compiling and running the scripts' top level (apart from the stamped work), thread time (ms). */
  scriptCpu: number;
  /** The reference work (REFERENCE_WORK) in the same page, thread time (ms). */
  referenceCpu: number;
  /** The module was compiled while it streamed in (off the main thread). */
  streamed: boolean;
  controls: number;
}

const REFERENCE = 'gpustack-check:reference';

// A fixed piece of page work, run by the bench in the page after each load and timed the same way:
// the same build takes more time when the machine is slower (a busy host takes cycles from this
// virtual machine that the guest still counts as the thread's), and this figure shows by how much.
// A page script of the kind the content script runs: 20 elements with a closed shadow root each,
// a page-sized JSON parse, some string work.
const REFERENCE_WORK = `(() => {
  console.timeStamp('${REFERENCE}:start');
  const props = JSON.stringify({ files: Array.from({ length: 500 }, (_, i) => 'model-' + i + '-Q4_K_M.gguf') });
  let n = JSON.parse(props).files.filter((f) => f.toLowerCase().endsWith('.gguf')).length;
  for (let i = 0; i < 20; i++) {
    const host = document.createElement('reference-work');
    host.setAttribute('data-file', 'model-' + i + '.gguf');
    const span = document.createElement('span');
    span.textContent = 'Check ' + i;
    host.attachShadow({ mode: 'closed' }).append(span);
    document.body.append(host);
    n += host.getBoundingClientRect().width > 0 ? 1 : 0;
    host.remove();
  }
  console.timeStamp('${REFERENCE}:end');
  return n;
})()`;

// The content script's files: the loader the manifest declares, the module it imports on every
// page, and the page UI module (imported when a control leaves its idle state: not on this bench's
// loads).
const LOADER = 'huggingface.js';
const MODULE = 'page-session.js';
const MODULES = [MODULE, 'page-ui.js'];

type ScriptWork = 'loader' | 'compile' | 'evaluate';

/**
 * Main-thread work on the content script's files themselves: evaluating the loader, finishing a
 * module's compilation (it compiles off the main thread while it streams in) and evaluating it. A
 * module's evaluation names its world (an extension's isolated world), not its file: the bench's
 * browser has no other extension.
 */
function scriptWork(event: TraceEvent): ScriptWork | null {
  if (event.ph !== 'X') return null;
  const url = event.args?.data?.url ?? '';
  if (event.name === 'EvaluateScript' && url.endsWith(`/${LOADER}`)) return 'loader';
  if (event.name === 'v8.compileModule' && MODULES.some((file) => url.endsWith(`/${file}`))) return 'compile';
  if (event.name === 'v8.evaluateModule' && event.args?.worldName !== undefined) return 'evaluate';
  return null;
}

/** What a trace says of our scripts: their stamps (in time order), and their evaluations. */
interface OurTrace {
  marks: Mark[];
  scripts: TraceEvent[];
  seen: Set<ScriptWork>;
  /** The page session module was compiled while it streamed in. */
  streamed: boolean;
}

/** Runs `act` with the page traced (main-thread events of the page's renderer). */
async function traceWhile(cdp: CDPSession, act: () => Promise<void>): Promise<OurTrace> {
  const trace: OurTrace = { marks: [], scripts: [], seen: new Set(), streamed: false };
  const collect = ({ value }: { value: unknown[] }) => {
    for (const event of value as TraceEvent[]) {
      const name = event.name === 'TimeStamp' ? event.args?.data?.message : undefined;
      if (name?.startsWith('gpustack-check:')) trace.marks.push({ name, ts: event.ts, tts: event.tts });
      const work = scriptWork(event);
      if (!work) continue;
      trace.scripts.push(event);
      trace.seen.add(work);
      if (work === 'compile' && event.args?.data?.url?.endsWith(`/${MODULE}`)) {
        trace.streamed = event.args.data.streamed === true;
      }
    }
  };
  cdp.on('Tracing.dataCollected', collect);
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline'] },
    transferMode: 'ReportEvents',
  });
  try {
    await act();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', collect);
  }
  trace.marks.sort((a, b) => a.ts - b.ts);
  return trace;
}

/** Compiling and evaluating our scripts, less the stamped work that ran inside them (counted apart). */
function scriptTime(marks: Mark[], scripts: TraceEvent[]): number {
  return scripts.reduce((sum, { ts, dur = 0, tdur = 0 }) => {
    const inside = (name: string) => timeBetweenMarks(marks, name, ts, ts + dur).cpu;
    return sum + tdur / 1000 - inside(ANNOTATE_TIMING) - inside(MESSAGE_TIMING) - inside(PAINT_TIMING);
  }, 0);
}

/** Scrolls `page` down in steps shorter than the viewport, as someone reading the list, to its end. */
async function scrollThrough(page: Page): Promise<void> {
  for (let y = 0; y < 200 && (await page.locator('gpustack-check').count()) < FILES; y++) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(50);
  }
}

/**
 * All of the content script's main-thread time while a 500-file page loads and is scrolled through
 * to its last row (every row annotated): reading, annotating, messages, drawing, its scripts.
 */
async function scrollCost(ext: ExtensionSession, url: string): Promise<{ cpu: number; controls: number }> {
  const page = await ext.context.newPage();
  const cdp = await ext.context.newCDPSession(page);
  try {
    const { marks, scripts } = await traceWhile(cdp, async () => {
      await page.goto(url);
      await page.locator('gpustack-check').first().waitFor();
      await page.mouse.move(400, 300);
      await scrollThrough(page);
      await page.waitForTimeout(300);
    });
    const stamped = [ANNOTATE_TIMING, MESSAGE_TIMING, PAINT_TIMING].reduce(
      (sum, name) => sum + timeBetweenMarks(marks, name).cpu,
      0,
    );
    return {
      cpu: stamped + scriptTime(marks, scripts),
      controls: await page.locator('gpustack-check').count(),
    };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

/** One load of `url`, traced: the content script's main-thread time, and the controls it made. */
async function annotateCost(ext: ExtensionSession, url: string): Promise<LoadCost> {
  const page = await ext.context.newPage();
  const cdp = await ext.context.newCDPSession(page);
  try {
    const { marks, scripts, seen, streamed } = await traceWhile(cdp, async () => {
      await page.goto(url);
      await page.locator('gpustack-check').first().waitFor();
      // The rows near the viewport are annotated right after the page's first layout.
      await page.waitForTimeout(500);
      await page.evaluate(REFERENCE_WORK);
    });
    // Each load evaluates the loader and compiles and evaluates the module: a trace without one of
    // them would undercount the script's time without a word (a renamed event, say).
    const missing = (['loader', 'compile', 'evaluate'] as const).filter((work) => !seen.has(work));
    if (missing.length > 0)
      throw new Error(`The trace of ${url} lacks our scripts' ${missing.join(', ')} events.`);
    const annotate = timeBetweenMarks(marks, ANNOTATE_TIMING);
    return {
      ...annotate,
      messagesCpu: timeBetweenMarks(marks, MESSAGE_TIMING).cpu,
      // The module's evaluation runs the page session's first reading of the page: counted above.
      scriptCpu: scriptTime(marks, scripts),
      referenceCpu: timeBetweenMarks(marks, REFERENCE).cpu,
      streamed,
      controls: await page.locator('gpustack-check').count(),
    };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

/**
 * The page UI's main-thread time on the first check of a page: finishing its module's compilation,
 * evaluating it, and drawing the control from "checking" to its verdict (a real check through the
 * worker).
 */
async function firstCheckCost(ext: ExtensionSession, url: string, file: string): Promise<number> {
  const page = await ext.context.newPage();
  const cdp = await ext.context.newCDPSession(page);
  try {
    await page.goto(url);
    const control = page.locator(`gpustack-check[data-file="${file}"]`);
    await control.waitFor();
    const { marks, scripts, seen } = await traceWhile(cdp, async () => {
      await control.click();
      await page.locator(`gpustack-check[data-file="${file}"][data-state="done"]`).waitFor();
    });
    // Brought in by the click, not before it: otherwise the figure would leave its module out.
    if (!seen.has('compile') || !seen.has('evaluate'))
      throw new Error(`The page UI was not loaded on ${url}.`);
    const module = scripts.reduce((sum, { tdur = 0 }) => sum + tdur / 1000, 0);
    return module + timeBetweenMarks(marks, PAINT_TIMING).cpu;
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

export async function benchPageCost(report: Report): Promise<void> {
  // What every Hugging Face page loads: the loader and its module. The goal is 40 kB as the build
  // prints sizes: 40,000 bytes.
  const bytes = [LOADER, MODULE].reduce(
    (sum, file) => sum + statSync(join(DEFAULT_EXTENSION_DIR, file)).size,
    0,
  );
  report.figure(
    'content_script_bytes',
    bytes,
    'B',
    atMost(40000, 'every Hugging Face page loading code it does not need'),
  );

  const sha = fakeSha('page-cost');
  const header = ggufHeaderFor('model-Q4_K_M.gguf', 'tinyllama-1.1b-chat-q8_0');
  const pages = { big: treePage(REPO, FILES, sha), small: treePage(SMALL_REPO, 20, sha) };
  const repoOf = (id: string, files: string[]) => ({
    id,
    sha,
    files: files.map((path) => ({ path, size: 1_200_000_000, header })),
  });
  // A repo of its own for each first check: a page with a cached verdict would bring the page UI in
  // as it loads.
  const fresh = Array.from({ length: FIRST_CHECKS }, (_, i) =>
    treePage(`bench/First-Check-${i}-GGUF`, 2, sha),
  );
  const freshRepo = (i: number) => `bench/First-Check-${i}-GGUF`;
  const hf = await startHfServer({
    repos: [
      repoOf(REPO, pages.big.files),
      repoOf(SMALL_REPO, pages.small.files),
      ...fresh.map((page, i) => repoOf(freshRepo(i), page.files)),
    ],
    pages: {
      [`/${REPO}/tree/main`]: pages.big.html,
      [`/${SMALL_REPO}/tree/main`]: pages.small.html,
      ...Object.fromEntries(fresh.map((page, i) => [`/${freshRepo(i)}/tree/main`, page.html])),
    },
  });
  const ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
  try {
    const big: LoadCost[] = [];
    const small: LoadCost[] = [];
    for (let i = 0; i < LOADS; i++) {
      big.push(await annotateCost(ext, `https://huggingface.co/${REPO}/tree/main`));
      small.push(await annotateCost(ext, `https://huggingface.co/${SMALL_REPO}/tree/main`));
    }
    // Scrolled through to the end: every file of the big list has its control, and what all of it
    // cost the page's main thread.
    const scrolls: Array<{ cpu: number; controls: number }> = [];
    for (let i = 0; i < SCROLLS; i++)
      scrolls.push(await scrollCost(ext, `https://huggingface.co/${REPO}/tree/main`));
    const all = Math.min(...scrolls.map((s) => s.controls));
    const firstChecks: number[] = [];
    for (const [i, page] of fresh.entries()) {
      const url = `https://huggingface.co/${freshRepo(i)}/tree/main`;
      firstChecks.push(await firstCheckCost(ext, url, page.files[0] as string));
    }

    const of = (loads: LoadCost[], pick: (load: LoadCost) => number) => loads.map(pick);
    report.figure(
      'page_annotate_500_files_ms',
      median(of(big, (l) => l.cpu)),
      'ms',
      atMost(10, 'a page slowed by reading it or drawing rows it does not show'),
    );
    report.figure('page_annotate_500_files_ms_max', Math.max(...of(big, (l) => l.cpu)), 'ms');
    // The same work by the wall clock: the thread time plus the time the thread waited for a core.
    report.figure('page_annotate_500_files_wall_ms', median(of(big, (l) => l.wall)), 'ms');
    // Apart from annotating: handing the worker its messages (strings, cached verdicts).
    report.figure('page_messages_500_files_ms', median(of(big, (l) => l.messagesCpu)), 'ms');
    // Apart from annotating too: evaluating the loader (most of it is the browser making the content
    // scripts' world) and the module, on every page.
    report.figure('page_script_eval_ms', median(of(big, (l) => l.scriptCpu)), 'ms');
    // All of the content script's main-thread time on the page: annotating, messages, evaluation.
    const total = (l: LoadCost) => l.cpu + l.messagesCpu + l.scriptCpu;
    report.figure('page_content_script_total_500_files_ms', median(of(big, total)), 'ms');
    // Loads whose module compiled off the main thread, as it streamed in: every one.
    report.figure(
      'page_module_streamed_loads',
      big.filter((l) => l.streamed).length,
      '',
      exactly(LOADS, 'the module compiled on the page’s main thread'),
    );
    // How fast the machine was meanwhile: the same fixed page work in every run (REFERENCE_WORK).
    report.figure('page_reference_work_ms', median(of(big, (l) => l.referenceCpu)), 'ms');
    // The same page with 20 files: what a page costs whatever its length (reading it, the port to
    // the worker, the first controls).
    report.figure('page_annotate_20_files_ms', median(of(small, (l) => l.cpu)), 'ms');
    // Apart from loading the page: what the first click on a control costs it.
    report.figure('page_ui_first_check_ms', median(firstChecks), 'ms');
    report.figure('page_annotate_500_files_controls_at_load', big.at(-1)?.controls ?? 0);
    report.figure(
      'page_annotate_500_files_controls_after_scroll',
      all,
      '',
      exactly(FILES, 'rows left without a control'),
    );
    // The whole of it while someone scrolls to the last of 500 rows: every control made and drawn.
    report.figure(
      'page_content_script_scroll_500_files_ms',
      median(scrolls.map((s) => s.cpu)),
      'ms',
      atMost(SCROLL_GOAL_MS, 'a long list that costs its reader with every row it scrolls past'),
    );
  } finally {
    await ext.close();
    await hf.close();
  }
}
