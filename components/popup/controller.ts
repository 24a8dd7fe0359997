// The popup's behaviour without its markup: every Hugging Face request it causes is one the user
// asked for. A search is one `search` message (debounced); the next page only when asked (scroll or
// "Load more"), never while another page or a check is on its way; a repo's files are one
// `model-files` message; a check only for the file the user picks. The worker does the network.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Channel } from '../../utils/common/channel';
import type { ControlState } from '../../utils/common/control-state';
import type {
  ProgressView,
  ReplyError,
  RepoGgufFiles,
  SearchSort,
  WorkerStatus,
} from '../../utils/common/protocol';
import { EMPTY_MEMORY, type LoadedResults, type MemoryStore, type PopupMemory } from './memory';

export interface PopupDeps {
  channel: Channel;
  memory: MemoryStore;
  /** Typing pauses this long before a search goes out. */
  debounceMs: number;
  /** The footer's status is asked this often (a message to the worker, not a network request). */
  statusEveryMs: number;
}

export type SearchActivity =
  | { kind: 'idle' }
  | { kind: 'loading'; more: boolean; progress: ProgressView | null }
  | { kind: 'error'; more: boolean; error: ReplyError };

export interface OpenedState {
  repo: string;
  files: RepoGgufFiles | null;
  filesError: ReplyError | null;
  selected: string | null;
}

export interface PopupState {
  query: string;
  sort: SearchSort;
  results: LoadedResults | null;
  search: SearchActivity;
  opened: OpenedState | null;
  /** Every check this popup asked for, by checkKey(repo, file). */
  checks: Record<string, ControlState>;
  /** The repo the list should give focus back to when it shows again. */
  lastOpened: string | null;
}

export interface PopupController {
  /** Null until the remembered state is read. */
  state: PopupState | null;
  status: WorkerStatus | null;
  now: number;
  /** The list's scroll position, kept outside state: it changes on every scroll event. */
  scrollTop: { current: number };
  checkRunning: boolean;
  setQuery(query: string): void;
  setSort(sort: SearchSort): void;
  /** Enter in the search box: search now instead of after the pause. */
  submit(): void;
  loadMore(): void;
  retrySearch(): void;
  openModel(repo: string): void;
  retryFiles(): void;
  back(): void;
  selectFile(file: string): void;
  onScroll(top: number): void;
}

export const checkKey = (repo: string, file: string) => `${repo}\n${file}`;

const PENDING = new Set<ControlState['state']>(['queued', 'waiting', 'checking']);
export const isPending = (view: ControlState | undefined) => view !== undefined && PENDING.has(view.state);

function progressView(progress: ProgressView): ControlState {
  switch (progress.state) {
    case 'queued':
      return { state: 'queued', position: progress.position };
    case 'waiting':
      return { state: 'waiting', until: progress.until };
    default:
      return { state: 'checking' };
  }
}

function toMemory(state: PopupState, scrollTop: number): PopupMemory {
  const { opened } = state;
  return {
    version: 1,
    query: state.query,
    sort: state.sort,
    results: state.results,
    scrollTop,
    opened: opened
      ? {
          repo: opened.repo,
          files: opened.files,
          selected: opened.selected,
          view: opened.selected ? (state.checks[checkKey(opened.repo, opened.selected)] ?? null) : null,
        }
      : null,
  };
}

export function usePopupController(deps: PopupDeps): PopupController {
  const { channel, memory } = deps;
  const [state, setState] = useState<PopupState | null>(null);
  const [status, setStatus] = useState<WorkerStatus | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // The authoritative copy: async replies read and change it between renders.
  const current = useRef<PopupState | null>(null);
  const scrollTop = useRef(0);
  // A new search or a newly opened model makes older replies stale.
  const searchGen = useRef(0);
  const modelGen = useRef(0);
  const debounce = useRef<ReturnType<typeof setTimeout>>();
  const saveTimer = useRef<ReturnType<typeof setTimeout>>();
  const filesSeen = useRef(new Map<string, NonNullable<OpenedState['files']>>());
  const checksAsked = useRef(new Set<string>());
  /** The first page last asked for, so a repeated Enter does not ask twice. */
  const lastAsked = useRef('');

  function save(): void {
    clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => {
      if (current.current) void memory.save(toMemory(current.current, scrollTop.current));
    }, 100);
  }

  function update(change: (s: PopupState) => PopupState): void {
    if (!current.current) return;
    current.current = change(current.current);
    setState(current.current);
    save();
  }

  const get = () => current.current as PopupState;

  async function runSearch(force = false): Promise<void> {
    clearTimeout(debounce.current);
    const s = get();
    const search = s.query.trim();
    const sort = s.sort;
    if (!search) {
      searchGen.current += 1;
      update((x) => ({ ...x, results: null, search: { kind: 'idle' } }));
      return;
    }
    const shown = s.results && s.results.search === search && s.results.sort === sort;
    const asking = s.search.kind === 'loading' && !s.search.more;
    if (!force && shown && s.search.kind !== 'error') return;
    if (!force && asking && lastAsked.current === `${sort}\n${search}`) return;
    lastAsked.current = `${sort}\n${search}`;
    const gen = ++searchGen.current;
    scrollTop.current = 0;
    update((x) => ({
      ...x,
      results: null,
      lastOpened: null,
      search: { kind: 'loading', more: false, progress: null },
    }));
    const reply = await channel.request({ type: 'search', search, sort }, (progress) => {
      if (gen === searchGen.current) {
        update((x) => ({ ...x, search: { kind: 'loading', more: false, progress } }));
      }
    });
    if (gen !== searchGen.current) return;
    update((x) =>
      reply.ok
        ? {
            ...x,
            results: { search, sort, models: reply.value.models, next: reply.value.next },
            search: { kind: 'idle' },
          }
        : { ...x, search: { kind: 'error', more: false, error: reply.error } },
    );
  }

  const running = (s: PopupState) => Object.values(s.checks).some(isPending);

  async function loadMore(): Promise<void> {
    const s = get();
    const results = s.results;
    // One page at a time, and none while a check runs (GPUStack 0.6.1's rule).
    if (!results?.next || s.search.kind === 'loading' || running(s)) return;
    const gen = searchGen.current;
    const cursor = results.next;
    update((x) => ({ ...x, search: { kind: 'loading', more: true, progress: null } }));
    const reply = await channel.request(
      { type: 'search', search: results.search, sort: results.sort, cursor },
      (progress) => {
        if (gen === searchGen.current)
          update((x) => ({ ...x, search: { kind: 'loading', more: true, progress } }));
      },
    );
    if (gen !== searchGen.current) return;
    update((x) => {
      if (!reply.ok) return { ...x, search: { kind: 'error', more: true, error: reply.error } };
      if (!x.results || x.results.next !== cursor) return { ...x, search: { kind: 'idle' } };
      const known = new Set(x.results.models.map((m) => m.id));
      const models = [...x.results.models, ...reply.value.models.filter((m) => !known.has(m.id))];
      return { ...x, results: { ...x.results, models, next: reply.value.next }, search: { kind: 'idle' } };
    });
  }

  async function fetchFiles(repo: string): Promise<void> {
    const gen = ++modelGen.current;
    const seen = filesSeen.current.get(repo);
    if (seen) {
      update((x) => (x.opened?.repo === repo ? { ...x, opened: { ...x.opened, files: seen } } : x));
      return;
    }
    update((x) => (x.opened?.repo === repo ? { ...x, opened: { ...x.opened, filesError: null } } : x));
    const reply = await channel.request({ type: 'model-files', repo });
    if (gen !== modelGen.current) return;
    if (reply.ok) filesSeen.current.set(repo, reply.value);
    update((x) => {
      if (x.opened?.repo !== repo) return x;
      return reply.ok
        ? { ...x, opened: { ...x.opened, files: reply.value, filesError: null } }
        : { ...x, opened: { ...x.opened, filesError: reply.error } };
    });
  }

  /**
   * The one check of a picked file. `quiet`: re-asked on reopening for a result already shown, so
   * its progress does not replace that result (the worker's cache answers it without a request).
   */
  async function sendCheck(repo: string, file: string, commit: string, quiet = false): Promise<void> {
    const key = checkKey(repo, file);
    if (checksAsked.current.has(key)) return;
    checksAsked.current.add(key);
    const setView = (view: ControlState) => update((x) => ({ ...x, checks: { ...x.checks, [key]: view } }));
    if (!quiet) setView({ state: 'queued' });
    try {
      const reply = await channel.request(
        { type: 'check', repo, revision: 'main', file, commit, priority: 'popup', keepAlive: true },
        (progress) => {
          if (!quiet) setView(progressView(progress));
        },
      );
      setView(reply.ok ? { state: 'done', result: reply.value } : { state: 'error', error: reply.error });
    } finally {
      checksAsked.current.delete(key);
    }
  }

  // Read what the last opening left, then carry on with whatever was under way.
  useEffect(() => {
    let alive = true;
    void memory.load().then((loaded) => {
      if (!alive) return;
      const m = loaded ?? EMPTY_MEMORY;
      scrollTop.current = m.scrollTop;
      const checks: Record<string, ControlState> = {};
      const opened = m.opened;
      const selectedView = opened?.selected ? opened.view : null;
      if (opened?.selected && selectedView) {
        // A check still running when the popup closed runs on in the worker (keepAlive).
        checks[checkKey(opened.repo, opened.selected)] = isPending(selectedView)
          ? { state: 'queued' }
          : selectedView;
      }
      current.current = {
        query: m.query,
        sort: m.sort,
        results: m.results,
        search: { kind: 'idle' },
        opened: opened
          ? { repo: opened.repo, files: opened.files, filesError: null, selected: opened.selected }
          : null,
        checks,
        lastOpened: opened?.repo ?? null,
      };
      if (opened?.files) filesSeen.current.set(opened.repo, opened.files);
      setState(current.current);
      const search = m.query.trim();
      if (search && (!m.results || m.results.search !== search || m.results.sort !== m.sort)) {
        void runSearch();
      }
      if (opened && !opened.files) void fetchFiles(opened.repo);
      if (opened?.files && opened.selected && selectedView?.state !== 'error') {
        void sendCheck(opened.repo, opened.selected, opened.files.commit, selectedView?.state === 'done');
      }
    });
    // Saved on every change already; this catches the last scroll before the popup closes.
    const flush = () => {
      if (current.current) void memory.save(toMemory(current.current, scrollTop.current));
    };
    addEventListener('pagehide', flush);
    return () => {
      alive = false;
      removeEventListener('pagehide', flush);
      clearTimeout(debounce.current);
    };
  }, []);

  // The footer: queue, budgets, waits. Asked once a second; never two asks at once.
  useEffect(() => {
    let stopped = false;
    let asking = false;
    const tick = async () => {
      setNow(Date.now());
      if (asking) return;
      asking = true;
      const reply = await channel.request({ type: 'status' });
      asking = false;
      if (!stopped && reply.ok) {
        setStatus(reply.value);
        setNow(Date.now());
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), deps.statusEveryMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [channel, deps.statusEveryMs]);

  const checkRunning = state ? running(state) : false;

  return {
    state,
    status,
    now,
    scrollTop,
    checkRunning,
    setQuery(query) {
      // Typing a new search leaves the opened model for the list the search fills.
      update((x) =>
        query.trim() === x.query.trim()
          ? { ...x, query }
          : // The list shows again, but focus stays in the box being typed in.
            { ...x, query, opened: null, lastOpened: null },
      );
      clearTimeout(debounce.current);
      debounce.current = setTimeout(() => void runSearch(), deps.debounceMs);
    },
    setSort(sort) {
      update((x) => ({ ...x, sort, opened: null, lastOpened: null }));
      void runSearch();
    },
    submit() {
      void runSearch();
    },
    loadMore() {
      void loadMore();
    },
    retrySearch() {
      const s = get();
      if (s.search.kind === 'error' && s.search.more) {
        update((x) => ({ ...x, search: { kind: 'idle' } }));
        void loadMore();
      } else {
        void runSearch(true);
      }
    },
    openModel(repo) {
      update((x) => ({
        ...x,
        opened: { repo, files: null, filesError: null, selected: null },
        lastOpened: repo,
      }));
      void fetchFiles(repo);
    },
    retryFiles() {
      const repo = get().opened?.repo;
      if (repo) void fetchFiles(repo);
    },
    back() {
      modelGen.current += 1;
      update((x) => ({ ...x, opened: null }));
    },
    selectFile(file) {
      const s = get();
      const opened = s.opened;
      if (!opened?.files) return;
      update((x) => (x.opened ? { ...x, opened: { ...x.opened, selected: file } } : x));
      const view = s.checks[checkKey(opened.repo, file)];
      // A file already checked (or being checked) is not asked again; a failed one is.
      if (view && view.state !== 'error') return;
      void sendCheck(opened.repo, file, opened.files.commit);
    },
    onScroll(top) {
      scrollTop.current = top;
      save();
    },
  };
}
