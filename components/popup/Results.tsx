// The search results: ten at a time. The next page is asked for only when the user nears the end of
// the list (an IntersectionObserver on the row after the last result) or presses "Load more", and
// not at all while a check runs: then the observer is disconnected and the button disabled.

import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../../utils/common/i18n';
import type { ProgressView, SearchItem } from '../../utils/common/protocol';
import type { SearchActivity } from './controller';
import type { LoadedResults } from './memory';

export interface ResultsViewProps {
  query: string;
  results: LoadedResults | null;
  search: SearchActivity;
  checkRunning: boolean;
  now: number;
  /** Where the list was scrolled to; restored when the list shows again. */
  initialScrollTop: number;
  /** Gets focus back when the list shows again (the model the user came back from). */
  focusRepo: string | null;
  onScroll(top: number): void;
  onOpen(repo: string): void;
  onLoadMore(): void;
  onRetry(): void;
}

/** How close to the end of the list counts as "reached the end". */
const NEAR_END = '0px 0px 48px 0px';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

function shortDate(iso: string | null): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? null
    : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function waitText(progress: ProgressView | null, now: number, fallback: string): string {
  if (progress?.state === 'waiting') {
    return t('popupWaiting', Math.max(1, Math.ceil((progress.until - now) / 1000)));
  }
  return fallback;
}

function ResultRow({ model, onOpen }: { model: SearchItem; onOpen(repo: string): void }) {
  const slash = model.id.indexOf('/');
  const updated = shortDate(model.lastModified);
  return (
    <li>
      <button type="button" class="row" data-model-id={model.id} onClick={() => onOpen(model.id)}>
        <span class="row-title">
          <span class="owner">{model.id.slice(0, slash + 1)}</span>
          <span class="name">{model.id.slice(slash + 1)}</span>
        </span>
        <span class="row-meta">
          <span title={t('popupDownloads', model.downloads)}>↓ {compact.format(model.downloads)}</span>
          <span title={t('popupLikes', model.likes)}>♥ {compact.format(model.likes)}</span>
          {updated ? <span>{t('popupUpdated', updated)}</span> : null}
        </span>
      </button>
    </li>
  );
}

export function ResultsView(props: ResultsViewProps) {
  const { results, search, checkRunning, onLoadMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const loadMore = useRef(onLoadMore);
  loadMore.current = onLoadMore;
  // Reaching the end loads more only when the user scrolled there since the last page came: a page
  // that arrives with the end still in view (slow layout, scroll anchoring) does not load the next.
  const scrolled = useRef(false);

  // Back from a model (or a reopened popup): the list where the user left it.
  useLayoutEffect(() => {
    const list = scroller.current;
    if (!list) return;
    list.scrollTop = props.initialScrollTop;
    if (props.focusRepo) {
      const row = [...list.querySelectorAll<HTMLElement>('[data-model-id]')].find(
        (el) => el.dataset.modelId === props.focusRepo,
      );
      row?.focus({ preventScroll: true });
    }
  }, []);

  const loading = search.kind === 'loading';
  const more = Boolean(results?.next) && !loading && search.kind !== 'error';
  const observing = more && !checkRunning;
  const rows = results?.models.length ?? 0;

  useEffect(() => {
    const root = scroller.current;
    const target = sentinel.current;
    if (!observing || !root || !target || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        // Results that do not fill the list leave the end in view without any scrolling: that is
        // not the user reaching it, so then only the button loads more.
        const overflows = root.scrollHeight > root.clientHeight;
        if (overflows && scrolled.current && entries.some((entry) => entry.isIntersecting)) {
          scrolled.current = false;
          loadMore.current();
        }
      },
      { root, rootMargin: NEAR_END },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [observing, rows]);

  let body = null;
  if (!results && search.kind === 'idle') {
    body = <p class="note">{t('popupIntro')}</p>;
  } else if (!results && loading) {
    body = (
      <p class="note" role="status">
        {waitText(search.progress, props.now, t('popupSearching'))}
      </p>
    );
  } else if (results && results.models.length === 0) {
    body = <p class="note">{t('popupNoResults', results.search)}</p>;
  }

  return (
    <div
      class="scroll"
      ref={scroller}
      onScroll={(event) => {
        scrolled.current = true;
        props.onScroll((event.currentTarget as HTMLElement).scrollTop);
      }}
    >
      {body}
      {results && results.models.length > 0 ? (
        <ul class="rows" aria-label={t('popupResultsLabel')}>
          {results.models.map((model) => (
            <ResultRow key={model.id} model={model} onOpen={props.onOpen} />
          ))}
        </ul>
      ) : null}
      {search.kind === 'error' ? (
        <div class="problem" role="alert">
          <span>{search.error.message}</span>
          <button type="button" onClick={props.onRetry}>
            {t('popupRetry')}
          </button>
        </div>
      ) : null}
      {results?.next ? (
        <div class="more" ref={sentinel} data-sentinel="">
          <button
            type="button"
            onClick={onLoadMore}
            disabled={loading || checkRunning || search.kind === 'error'}
            data-load-more=""
          >
            {t('popupLoadMore')}
          </button>
          {loading && search.more ? (
            <span role="status">{waitText(search.progress, props.now, t('popupLoadingMore'))}</span>
          ) : checkRunning ? (
            <span>{t('popupPaused')}</span>
          ) : null}
        </div>
      ) : results && results.models.length > 0 ? (
        <p class="note end" data-end="">
          {t('popupEnd', results.models.length)}
        </p>
      ) : null}
    </div>
  );
}
