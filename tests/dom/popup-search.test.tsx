// The popup's search in happy-dom: debounced typing, ten results, the next page only at the end of
// the list (or on "Load more"), never two at once, never while a check runs, and a clean end.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cursor,
  type FakeChannel,
  FakeObserver,
  fakeChannel,
  installObserver,
  type Mounted,
  memoryStore,
  mountPopup,
  pageOf,
  setOverflow,
  settle,
  waitFor,
} from './popup-support';

let worker: FakeChannel;
let popup: Mounted;

beforeEach(async () => {
  installObserver();
  worker = fakeChannel();
  popup = await mountPopup(worker, memoryStore().store);
});
afterEach(async () => {
  await popup.unmount();
  document.body.innerHTML = '';
});

const searches = () => worker.of('search');

async function firstPage(next: string | null = cursor(2)) {
  await popup.type('qwen');
  await waitFor(() => searches().length === 1, 'the search');
  await searches()[0]?.reply({ ok: true, value: pageOf(0, 10, next) });
  await waitFor(() => popup.rows().length === 10, 'ten rows');
  setOverflow(popup.scroller(), true);
}

describe('popup search', () => {
  it('asks nothing on opening, then one search for a typed query after the pause', async () => {
    expect(popup.text()).toContain('Nothing is fetched until you do.');
    await popup.type('qwen2.5');
    // Seven keystrokes, one request, and only after typing stopped.
    expect(searches()).toHaveLength(0);
    await waitFor(() => searches().length === 1, 'the search');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(searches().map((c) => c.request)).toEqual([
      { type: 'search', search: 'qwen2.5', sort: 'downloads' },
    ]);
  });

  it('shows ten results, each with data-model-id, remote text as text', async () => {
    await popup.type('q');
    await waitFor(() => searches().length === 1);
    const page = pageOf(0, 10, cursor(2));
    page.models[3] = {
      ...(page.models[3] as (typeof page.models)[number]),
      id: 'evil/<img src=x onerror=alert(1)>',
    };
    await searches()[0]?.reply({ ok: true, value: page });
    await waitFor(() => popup.rows().length === 10);
    expect(popup.rows().map((r) => r.dataset.modelId)).toEqual(page.models.map((m) => m.id));
    expect(popup.root.querySelector('img')).toBeNull();
    expect(popup.text()).toContain('<img src=x onerror=alert(1)>');
  });

  it('loads the next page once when the end comes into view, with the previous cursor', async () => {
    await firstPage();
    expect(FakeObserver.observed()).toEqual([popup.root.querySelector('[data-sentinel]')]);
    await FakeObserver.fire();
    await FakeObserver.fire(); // still in view while the page loads: no second request
    expect(searches()).toHaveLength(2);
    expect(searches()[1]?.request).toEqual({
      type: 'search',
      search: 'qwen',
      sort: 'downloads',
      cursor: cursor(2),
    });
    expect(popup.loadMore()?.disabled).toBe(true);
    await searches()[1]?.reply({ ok: true, value: pageOf(10, 10, cursor(3)) });
    await waitFor(() => popup.rows().length === 20);
    expect(searches()).toHaveLength(2);
    // The page came with the end still in view, and nobody scrolled: nothing more is asked for.
    await FakeObserver.fire(true, false);
    expect(searches()).toHaveLength(2);
    await FakeObserver.fire();
    expect(searches()).toHaveLength(3);
  });

  it('does not load when the results leave the end in view without any scrolling', async () => {
    await firstPage();
    setOverflow(popup.scroller(), false);
    await FakeObserver.fire();
    expect(searches()).toHaveLength(1);
    // The button still works.
    await settle(() => popup.loadMore()?.click());
    expect(searches()).toHaveLength(2);
  });

  it('stops cleanly at the end', async () => {
    await firstPage();
    await settle(() => popup.loadMore()?.click());
    await searches()[1]?.reply({ ok: true, value: pageOf(10, 5, null) });
    await waitFor(() => popup.rows().length === 15);
    expect(popup.loadMore()).toBeNull();
    expect(FakeObserver.observed()).toEqual([]);
    expect(popup.root.querySelector('[data-end]')?.textContent).toBe('That is all: 15 models.');
    await FakeObserver.fire();
    expect(searches()).toHaveLength(2);
  });

  it('searches again, from the first page, when the sort changes', async () => {
    await firstPage();
    await settle(() => {
      popup.select().value = 'lastModified';
      popup.select().dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(searches()[1]?.request).toEqual({ type: 'search', search: 'qwen', sort: 'lastModified' });
    const sorts = [...popup.select().options].map((o) => [o.value, o.textContent]);
    expect(sorts).toEqual([
      ['downloads', 'Most downloads'],
      ['likes', 'Most likes'],
      ['trendingScore', 'Trending'],
      ['lastModified', 'Recently updated'],
    ]);
  });

  it('drops a stale reply when a newer search was typed', async () => {
    await popup.type('a');
    await waitFor(() => searches().length === 1);
    await popup.type('b');
    await waitFor(() => searches().length === 2);
    await searches()[1]?.reply({ ok: true, value: pageOf(100, 10, null) });
    await searches()[0]?.reply({ ok: true, value: pageOf(0, 10, cursor(2)) });
    await settle();
    expect(popup.rows()[0]?.dataset.modelId).toBe(pageOf(100, 1, null).models[0]?.id);
  });

  it('shows the rate-limit wait while the search waits, and an error with a retry', async () => {
    await popup.type('q');
    await waitFor(() => searches().length === 1);
    await settle(() => searches()[0]?.onProgress?.({ state: 'waiting', until: Date.now() + 42_000 }));
    expect(popup.text()).toMatch(/Waiting 4\d s for the Hugging Face rate limit/);
    await searches()[0]?.reply({
      ok: false,
      error: { code: 'rate-limited', message: 'Hugging Face is rate limiting.', retryable: true },
    });
    const alert = popup.root.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Hugging Face is rate limiting.');
    await settle(() => alert?.querySelector('button')?.click());
    expect(searches()).toHaveLength(2);
    expect(searches()[1]?.request).toEqual({ type: 'search', search: 'q', sort: 'downloads' });
  });

  it('moves through the results with the arrow keys', async () => {
    await firstPage();
    const main = popup.root.querySelector('main') as HTMLElement;
    popup.input().focus();
    const down = new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, cancelable: true });
    await settle(() => popup.input().dispatchEvent(down));
    expect(down.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(popup.rows()[0]);
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowUp']) {
      await settle(() =>
        document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })),
      );
    }
    expect(document.activeElement).toBe(popup.rows()[1]);
    await settle(() =>
      document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true })),
    );
    expect(document.activeElement).toBe(popup.rows()[9]);
    // Escape is the browser's (it closes the popup): untouched.
    const esc = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    main.dispatchEvent(esc);
    expect(esc.defaultPrevented).toBe(false);
  });
});
