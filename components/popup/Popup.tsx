// The toolbar popup: search GGUF models on Hugging Face, open one, pick a file, see whether it runs.
// It is the flow that made GPUStack 0.6.0 hit 429s, done the way 0.6.1 fixed it: ten results at a
// time, more only at the end of the list, a check only for the file picked, and no scroll loading
// while a check runs. Everything goes through the worker's channel; nothing here touches the network.

import { useEffect, useMemo, useRef } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { type Channel, createChannel } from '../../utils/common/channel';
import { t } from '../../utils/common/i18n';
import type { SearchSort } from '../../utils/common/protocol';
import { usePopupController } from './controller';
import { Footer } from './Footer';
import { ModelView } from './ModelView';
import { type MemoryStore, SORTS, sessionMemory } from './memory';
import { ResultsView } from './Results';

export interface PopupProps {
  channel?: Channel;
  memory?: MemoryStore;
  openOptions?: () => void;
  debounceMs?: number;
  statusEveryMs?: number;
}

const SORT_NAMES: Record<SearchSort, () => string> = {
  downloads: () => t('popupSortDownloads'),
  likes: () => t('popupSortLikes'),
  trendingScore: () => t('popupSortTrending'),
  lastModified: () => t('popupSortUpdated'),
};

/** Arrow keys, Home and End move through the list's entries; true when the key was one of them. */
function moveFocus(event: KeyboardEvent, root: HTMLElement, selector: string): boolean {
  const items = [...root.querySelectorAll<HTMLElement>(selector)];
  if (items.length === 0) return false;
  const at = items.indexOf(document.activeElement as HTMLElement);
  let next: number;
  switch (event.key) {
    case 'ArrowDown':
      next = at < 0 ? 0 : Math.min(items.length - 1, at + 1);
      break;
    case 'ArrowUp':
      if (at < 0) return false;
      next = Math.max(0, at - 1);
      break;
    case 'Home':
      if (at < 0) return false;
      next = 0;
      break;
    case 'End':
      if (at < 0) return false;
      next = items.length - 1;
      break;
    default:
      return false;
  }
  items[next]?.focus();
  return true;
}

export function Popup(props: PopupProps) {
  const deps = useMemo(
    () => ({
      channel: props.channel ?? createChannel(),
      memory: props.memory ?? sessionMemory(),
      debounceMs: props.debounceMs ?? 350,
      statusEveryMs: props.statusEveryMs ?? 1000,
    }),
    [props.channel, props.memory, props.debounceMs, props.statusEveryMs],
  );
  const openOptions = props.openOptions ?? (() => void browser.runtime.openOptionsPage());
  const popup = usePopupController(deps);
  const { state } = popup;
  const opened = state?.opened ?? null;
  const input = useRef<HTMLInputElement>(null);
  const loaded = state !== null;

  // Opening on the list puts the cursor in the search box, ready to type.
  useEffect(() => {
    if (loaded && !opened && !state?.lastOpened) input.current?.focus();
  }, [loaded]);

  // Alt+Left is "back" everywhere in the popup; Esc is left to the browser (it closes the popup).
  const latest = useRef({ opened, back: popup.back });
  latest.current = { opened, back: popup.back };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && event.key === 'ArrowLeft' && latest.current.opened) {
        event.preventDefault();
        latest.current.back();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!state) return <main class="popup" aria-busy="true" />;

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    // The sort select uses the arrow keys itself; so does any modifier combination.
    if (target.tagName === 'SELECT' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey)
      return;
    if (target.tagName === 'INPUT' && event.key !== 'ArrowDown') return;
    const root = event.currentTarget as HTMLElement;
    if (moveFocus(event, root, opened ? '[data-file]' : '[data-model-id]')) event.preventDefault();
  };

  return (
    <main class="popup" onKeyDown={onKeyDown}>
      <header class="head">
        <h1>{t('popupTitle')}</h1>
        <form
          class="search"
          onSubmit={(event) => {
            event.preventDefault();
            popup.submit();
          }}
        >
          <label class="field grow">
            <span class="visually-hidden">{t('popupSearchLabel')}</span>
            <input
              ref={input}
              type="search"
              value={state.query}
              placeholder={t('popupSearchPlaceholder')}
              autocomplete="off"
              spellcheck={false}
              maxLength={200}
              onInput={(event) => popup.setQuery((event.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <label class="field">
            <span class="visually-hidden">{t('popupSortLabel')}</span>
            <select
              value={state.sort}
              onChange={(event) =>
                popup.setSort((event.currentTarget as HTMLSelectElement).value as SearchSort)
              }
            >
              {SORTS.map((sort) => (
                <option key={sort} value={sort}>
                  {SORT_NAMES[sort]()}
                </option>
              ))}
            </select>
          </label>
        </form>
      </header>
      {opened ? (
        <ModelView
          opened={opened}
          checks={state.checks}
          now={popup.now}
          onBack={popup.back}
          onSelect={popup.selectFile}
          onRetryFiles={popup.retryFiles}
        />
      ) : (
        <ResultsView
          query={state.query}
          results={state.results}
          search={state.search}
          checkRunning={popup.checkRunning}
          now={popup.now}
          initialScrollTop={popup.scrollTop.current}
          focusRepo={state.lastOpened}
          onScroll={popup.onScroll}
          onOpen={popup.openModel}
          onLoadMore={popup.loadMore}
          onRetry={popup.retrySearch}
        />
      )}
      <Footer status={popup.status} now={popup.now} onOptions={openOptions} />
    </main>
  );
}
