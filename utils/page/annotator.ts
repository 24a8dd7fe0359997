// Puts one control beside every GGUF model file the page shows, keeps them through re-renders and
// "Load more files" (scan() again after DOM changes: utils/content/page-session.ts watches), and
// drives each control from the worker's replies.
// Controls for the same file share one state, so a re-rendered row shows what the old one did.
// Also: "Check all quantizations" on tree pages and model cards, the best-fit mark, our own
// quantization list on model cards that show none, and screen-reader announcements.

import type { Channel } from '../common/channel';
import type { ControlState } from '../common/control-state';
import { t } from '../common/i18n';
import type { Priority } from '../common/result';
import { ANNOTATE_TIMING, timed } from '../common/timing';
import { fitsOnGpu, verdictSentence } from '../common/verdict-text';
import { modelFilesToCheck, quantLabel } from '../lib/gguf-names';
import { type BulkRun, runBulk } from './bulk-run';
import type { BulkView } from './contract';
import { createAnnouncer } from './hosts/announcer';
import { type BulkHost, createBulkHost } from './hosts/bulk-host';
import { type CheckAsk, type CheckHost, createCheckHost } from './hosts/check-host';
import { pageKindNamed } from './kinds';
import { sidebarSpot } from './quant-list';
import type { PageContext } from './read/page-context';
import { findCheckTargets, type TargetKind } from './read/targets';

export interface AnnotatorDeps {
  channel: Channel;
  /** Annotate a long file list as its rows near the viewport (the content script; tests: at once). */
  lazy?: boolean;
  /** Bulk checks travelling at once; the others wait here, where cancelling drops them. */
  bulkInFlight?: number;
}

export interface Annotator {
  /** Scans the page now (after DOM changes); returns how many controls it added. */
  scan(): number;
  /** Stops watching and takes away everything it put on the page. */
  stop(): void;
}

interface FileRef {
  revision: string;
  file: string;
}

interface Entry {
  hosts: Set<CheckHost>;
}

type Placed = TargetKind | 'sidebar';

/** Rows beyond which a file list is annotated as it scrolls into view. */
const LONG_LIST = 64;

const keyOf = ({ revision, file }: FileRef) => `${revision}\n${file}`;
const refOf = (key: string): FileRef => {
  const cut = key.indexOf('\n');
  return { revision: key.slice(0, cut), file: key.slice(cut + 1) };
};
const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1);

/** A GGUF model repo's page: the only pages that get controls. */
export function annotatable(ctx: PageContext): ctx is PageContext & { repo: string } {
  return ctx.repo !== null && ctx.repoType === 'model' && ctx.isGgufRepo;
}

export function startAnnotator(doc: Document, ctx: PageContext, deps: AnnotatorDeps): Annotator | null {
  if (!annotatable(ctx)) return null;
  const repo = ctx.repo;
  // What this kind of page does beyond controls beside links (kinds/).
  const kind = pageKindNamed(ctx.pageKind);
  // A model card's URL names no revision: its links (and the page) are the main branch.
  const pageRevision = ctx.revision ?? 'main';
  const commitOf = (revision: string) =>
    revision === pageRevision && ctx.commit ? { commit: ctx.commit } : {};
  const views = new Map<string, ControlState>();
  const entries = new Map<string, Entry>();
  const placed = new WeakMap<CheckHost, Placed>();
  const live = createAnnouncer(doc);
  // Asked once for every control.
  const label = t('checkLabel');

  let bulk: BulkRun<string> | null = null;
  let bulkView: BulkView = { phase: 'idle', done: 0, total: 0 };
  let bulkFiles: string[] = [];
  let bulkHost: BulkHost | null = null;
  let panel: BulkHost | null = null;
  // After a complete bulk run the best fit follows every later answer.
  let bestShown = false;
  let bestNow: string | null = null;

  function show(ref: FileRef, view: ControlState): void {
    const key = keyOf(ref);
    views.set(key, view);
    for (const host of entries.get(key)?.hosts ?? []) host.show(view);
    if (bulkView.phase !== 'idle' && bulkView.phase !== 'done' && bulkFiles.includes(key)) {
      showBulk({ ...bulkView, done: settled() });
    }
    if (bestShown && view.state === 'done') markBest();
  }

  async function check(ref: FileRef, priority: Priority, ask?: CheckAsk): Promise<void> {
    show(ref, { state: 'checking' });
    const reply = await deps.channel.request(
      {
        type: 'check',
        repo,
        ...ref,
        ...commitOf(ref.revision),
        priority,
        ...(ask ? { force: true } : {}),
        ...(ask?.ctxSize ? { ctxSize: ask.ctxSize } : {}),
      },
      (progress) => show(ref, progress),
    );
    const view: ControlState = reply.ok
      ? { state: 'done', result: reply.value }
      : { state: 'error', error: reply.error };
    show(ref, view);
    if (priority !== 'bulk') {
      live.say(
        `${baseName(ref.file)}: ${view.state === 'done' ? verdictSentence(view.result) : view.error.message}`,
      );
    }
  }

  function activate(ref: FileRef, ask?: CheckAsk): void {
    live.ready();
    if (ask) {
      void check(ref, 'click', ask);
      return;
    }
    const state = views.get(keyOf(ref))?.state ?? 'idle';
    // Waiting in the bulk queue: a click sends it now, ahead of the rest.
    if (state === 'idle' || state === 'error' || bulk?.take(keyOf(ref))) void check(ref, 'click');
  }

  function addHost(ref: FileRef, kind: Placed): CheckHost {
    const host = createCheckHost(doc, { repo, ...ref }, (_h, ask) => activate(ref, ask), label);
    const key = keyOf(ref);
    const known = views.get(key);
    if (known) host.show(known);
    host.setBest(key === bestNow);
    const entry = entries.get(key) ?? { hosts: new Set() };
    entry.hosts.add(host);
    entries.set(key, entry);
    placed.set(host, kind);
    return host;
  }

  /** Controls for the places in `root` that have none yet. */
  function annotate(root: ParentNode): CheckHost[] {
    const made: CheckHost[] = [];
    // Places that already have their control are not targets any more.
    for (const target of findCheckTargets(root, ctx)) {
      const host = addHost({ revision: target.revision ?? pageRevision, file: target.file }, target.kind);
      target.anchor.after(host.element);
      made.push(host);
    }
    return made;
  }

  function scan(): number {
    const rows = longList();
    let added = 0;
    if (rows) look();
    else added = annotate(doc).length;
    forget();
    added += placeExtras();
    return added;
  }

  // A long file list (hundreds of rows) is annotated as its rows come near the viewport: reading
  // every link of 500 rows and making 500 controls at once would hold the page up for tens of ms.
  // Rows are the list island's <li>s (the Hub's tree markup), found by element names, not classes.
  // The rows stack top to bottom, so the ones near the viewport are found by a binary search on
  // their boxes, read right after the page's layout: in an IntersectionObserver's callback, whose
  // first call after observe() comes after the next layout. Watching 500 rows instead would cost
  // more than the dozen controls a page shows at first.
  const rowsSeen = new WeakMap<Element, CheckHost[]>();
  let afterLayout: IntersectionObserver | undefined;
  const win = doc.defaultView;

  // A live collection: made at once, counted and walked only when read.
  function longList(): HTMLCollectionOf<Element> | null {
    if (!deps.lazy || !win?.IntersectionObserver) return null;
    const rows = kind?.longList?.(doc);
    return rows && rows.length > LONG_LIST ? rows : null;
  }

  /** Looks for rows near the viewport after the next layout (page load, changes, scrolling). */
  function look(): void {
    if (!afterLayout && win) {
      afterLayout = new win.IntersectionObserver(annotateNear);
      doc.addEventListener('scroll', onScroll, { capture: true, passive: true });
      win.addEventListener('resize', look);
    }
    afterLayout?.unobserve(doc.body);
    afterLayout?.observe(doc.body);
  }

  let scrolled = false;
  const onScroll = () => {
    scrolled = true;
    look();
  };

  function annotateNear(): void {
    const rows = longList();
    if (!rows || !win) return;
    timed(ANNOTATE_TIMING, () => annotateRowsNear(rows, win));
  }

  function annotateRowsNear(rows: ArrayLike<Element>, win: Window): void {
    // Once the page scrolls, a quarter of the viewport ahead: rows scrolling into view have their
    // control already. Before, only what is in view: the page's first look costs what it shows.
    const ahead = scrolled ? win.innerHeight / 4 : 0;
    let first = 0;
    let last = rows.length;
    while (first < last) {
      const mid = (first + last) >> 1;
      if ((rows[mid] as Element).getBoundingClientRect().bottom < -ahead) first = mid + 1;
      else last = mid;
    }
    const near: Element[] = [];
    for (let i = first; i < rows.length; i++) {
      const row = rows[i] as Element;
      if (row.getBoundingClientRect().top > win.innerHeight + ahead) break;
      if (!annotated(row)) near.push(row);
    }
    // Boxes first, then controls: each new control would lay the page out again.
    if (near.length === 0) return;
    for (const row of near) annotateRow(row);
    placeExtras();
    void showCached();
  }

  /** Annotated already, and its controls still there (a re-render takes them away). */
  const annotated = (row: Element) =>
    rowsSeen.get(row)?.every((h) => h.element.isConnected && row.contains(h.element)) === true;

  function annotateRow(row: Element): number {
    const made = annotate(row);
    // A row of a file that gets no control (README.md, mmproj) is done too: remember it as seen.
    rowsSeen.set(row, made);
    return made.length;
  }

  /** Every row now (a bulk run covers the whole list). */
  function annotateAll(): void {
    // A copy: the live list would be walked again after each control.
    for (const row of Array.from(longList() ?? [])) if (!annotated(row)) annotateRow(row);
    forget();
  }

  /** Forgets hosts the page threw away with their rows (their file's state stays in `views`). */
  function forget(): void {
    for (const [key, entry] of entries) {
      for (const host of entry.hosts) {
        if (host.element.isConnected) continue;
        host.dispose();
        entry.hosts.delete(host);
      }
      if (entry.hosts.size === 0) entries.delete(key);
    }
  }

  const hostsOf = (kinds: readonly Placed[]) =>
    [...entries.values()].flatMap((e) => [...e.hosts].filter((h) => kinds.includes(placed.get(h) as Placed)));

  /** Our sidebar list (model cards without a quant list of their own) and the bulk bar. */
  function placeExtras(): number {
    if (!kind?.bulkSpot) return 0;
    let added = 0;
    if (kind.ownQuantList) {
      const theirs = hostsOf(['quant-list']).length > 0;
      if (theirs && panel) {
        // The page drew its own list after all (client-side): ours goes.
        panel.element.remove();
        panel = null;
        forget();
      } else if (!theirs && !panel?.element.isConnected) {
        const files = modelFilesToCheck(ctx.ggufFilePaths);
        const spot = files.length > 0 ? sidebarSpot(doc) : null;
        if (spot) {
          const hosts = files.map((file) => addHost({ revision: pageRevision, file }, 'sidebar'));
          panel = createBulkHost(doc, bulkActions, hosts);
          if (spot.inside) spot.el.prepend(panel.element);
          else spot.el.after(panel.element);
          panel.show(bulkView);
          bulkHost?.element.remove();
          added += hosts.length;
        }
      }
    }
    // Before a run, the bar tells automation how many model files have a control so far (a run
    // covers every row of a long list, and says how many then).
    const files = entries.size;
    if (bulkView.phase === 'idle' && bulkView.total !== files) showBulk({ ...bulkView, total: files });
    if (panel || bulkHost?.element.isConnected || files < 2) return added;
    const spot = kind.bulkSpot(doc, (placements) => hostsOf(placements).map((h) => h.element));
    if (spot) {
      bulkHost ??= createBulkHost(doc, bulkActions);
      spot.before(bulkHost.element);
      bulkHost.show(bulkView);
    }
    return added;
  }

  const bulkActions = { start: startBulk, cancel: cancelBulk };

  function showBulk(view: BulkView): void {
    bulkView = view;
    bulkHost?.show(view);
    panel?.show(view);
  }

  const settled = () =>
    bulkFiles.filter((key) => {
      const state = views.get(key)?.state;
      return state === 'done' || state === 'error';
    }).length;

  function startBulk(): void {
    if (bulkView.phase === 'running') return;
    live.ready();
    annotateAll();
    bulkFiles = [...entries.keys()];
    // Known answers count as done; what is already on its way is left to finish.
    const send = bulkFiles.filter((key) => {
      const state = views.get(key)?.state ?? 'idle';
      return state === 'idle' || state === 'error';
    });
    for (const key of send) show(refOf(key), { state: 'queued' });
    showBulk({ phase: 'running', done: settled(), total: bulkFiles.length });
    const run = runBulk(send, (key) => check(refOf(key), 'bulk'), deps.bulkInFlight ?? 4);
    bulk = run;
    void run.finished.then((complete) => {
      if (bulk !== run || !complete) return;
      bulk = null;
      bestShown = true;
      const best = markBest();
      const done = settled();
      showBulk({ phase: 'done', done, total: bulkFiles.length, best });
      live.say(
        `${t('bulkProgress', done, bulkFiles.length)}. ${best ? t('bulkBest', best) : t('bulkNoFit')}`,
      );
    });
  }

  function cancelBulk(): void {
    const run = bulk;
    if (!run) return;
    bulk = null;
    for (const key of run.cancel()) {
      if (views.get(key)?.state === 'queued') show(refOf(key), { state: 'idle' });
    }
    showBulk({ phase: 'cancelled', done: settled(), total: bulkFiles.length });
  }

  /** The largest quantization (by size) that fits entirely on GPU. */
  function bestKey(): string | null {
    let pick: string | null = null;
    let size = -1;
    for (const key of bulkFiles) {
      const view = views.get(key);
      if (view?.state === 'done' && fitsOnGpu(view.result) && view.result.sizeBytes > size) {
        pick = key;
        size = view.result.sizeBytes;
      }
    }
    return pick;
  }

  function markBest(): string | null {
    const pick = bestKey();
    bestNow = pick;
    for (const [key, entry] of entries) for (const host of entry.hosts) host.setBest(key === pick);
    const label = pick ? quantLabel(refOf(pick).file) : null;
    if (bulkView.phase === 'done' && label !== bulkView.best) showBulk({ ...bulkView, best: label });
    return label;
  }

  // Each file is asked about once: a long list's rows arrive a few at a time.
  const asked = new Set<string>();

  /** Verdicts already cached show at once, without a request to anyone. */
  async function showCached(): Promise<void> {
    const byRevision = new Map<string, string[]>();
    for (const key of entries.keys()) {
      if (views.has(key) || asked.has(key)) continue;
      asked.add(key);
      const { revision, file } = refOf(key);
      byRevision.set(revision, [...(byRevision.get(revision) ?? []), file]);
    }
    for (const [revision, files] of byRevision) {
      const reply = await deps.channel.request({
        type: 'cached',
        repo,
        revision,
        ...commitOf(revision),
        files,
      });
      if (!reply.ok) continue;
      for (const [file, result] of Object.entries(reply.value)) {
        if (!views.has(keyOf({ revision, file }))) show({ revision, file }, { state: 'done', result });
      }
    }
  }

  scan();
  void showCached();

  // "checked 5 min ago" ages: repaint the answers once a minute.
  const ticker = setInterval(() => {
    for (const [key, entry] of entries) {
      if (views.get(key)?.state === 'done') for (const host of entry.hosts) host.paint();
    }
  }, 60_000);

  return {
    scan() {
      const added = scan();
      if (added > 0) void showCached();
      return added;
    },
    stop() {
      clearInterval(ticker);
      afterLayout?.disconnect();
      doc.removeEventListener('scroll', onScroll, { capture: true });
      win?.removeEventListener('resize', look);
      bulk?.cancel();
      for (const entry of entries.values()) {
        for (const host of entry.hosts) {
          host.dispose();
          host.element.remove();
        }
      }
      entries.clear();
      bulkHost?.element.remove();
      panel?.element.remove();
      live.remove();
    },
  };
}
