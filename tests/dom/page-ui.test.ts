// The page UI (Preact: verdicts, popovers, bulk progress) is a module of its own that the page
// session imports when a page first needs it (utils/content/page-ui.ts). Until it is there, or when
// it cannot be loaded, a control shows its state as plain text, and asks again later.
// The other DOM tests have the page UI from the start (tests/setup/dom.ts).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerPageUi } from '../../components/page/page-ui';
import { verdictSentence } from '../../utils/common/verdict-text';
import { PAGE_UI_GLOBAL } from '../../utils/page/contract';
import { createBulkHost } from '../../utils/page/hosts/bulk-host';
import { createCheckHost } from '../../utils/page/hosts/check-host';
import { setPageUiLoader } from '../../utils/page/ui-loader';
import { BARTOWSKI, recordShadowRoots, settle, verdict } from './page-support';

const FILE = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
let shadows: ReturnType<typeof recordShadowRoots>;
let asked = 0;

beforeEach(() => {
  shadows = recordShadowRoots();
  asked = 0;
  delete (globalThis as Record<string, unknown>)[PAGE_UI_GLOBAL];
});
afterEach(() => {
  shadows.restore();
  registerPageUi();
  setPageUiLoader(() => Promise.resolve());
  document.body.innerHTML = '';
});

function control() {
  const host = createCheckHost(document, { repo: BARTOWSKI, revision: 'main', file: FILE }, () => {});
  document.body.append(host.element);
  return { host, text: () => shadows.text(host.element) };
}

describe('page UI, loaded when first needed', () => {
  it('is asked for once by every control that leaves its idle state, which show plain text meanwhile', async () => {
    // The module comes after the page's current work, as an import does.
    setPageUiLoader(async () => {
      asked += 1;
      await settle();
      registerPageUi();
    });
    const a = control();
    const b = control();
    expect(a.text()).toBe('Check GPUStack');
    a.host.show({ state: 'checking' });
    b.host.show({ state: 'checking' });
    expect(a.text()).toBe('Checking…');
    const result = verdict(FILE, 'single-gpu');
    a.host.show({ state: 'done', result });
    expect(a.text()).toBe(verdictSentence(result));
    await settle();
    await settle();
    expect(asked).toBe(1);
    // Drawn by the page UI now: the verdict with when it was checked.
    expect(a.text()).toContain('checked just now');
    expect(b.text()).toBe('Checking…');
    b.host.show({ state: 'error', error: { code: 'network', message: 'Offline', retryable: true } });
    expect(b.text()).toContain('Offline');
    expect(asked).toBe(1);
  });

  it('a module that cannot be loaded leaves plain text, and the next change asks again', async () => {
    setPageUiLoader(async () => {
      asked += 1;
      throw new Error('The extension was reloaded');
    });
    const { host, text } = control();
    const result = verdict(FILE, 'cpu');
    host.show({ state: 'done', result });
    await settle();
    expect(text()).toBe(verdictSentence(result));
    setPageUiLoader(async () => {
      asked += 1;
      registerPageUi();
    });
    host.setBest(true);
    await settle();
    expect(asked).toBe(2);
    expect(text()).toContain('checked just now');
  });

  it('a loader that throws at once (the runtime gone) is a failed load too, not an error in the page', async () => {
    setPageUiLoader(() => {
      asked += 1;
      throw new TypeError("Cannot read properties of undefined (reading 'getURL')");
    });
    const { host, text } = control();
    expect(() => host.show({ state: 'checking' })).not.toThrow();
    await settle();
    expect(asked).toBe(1);
    expect(text()).toBe('Checking…');
  });

  it("a bulk run's bar keeps what it drew until the page UI is there", async () => {
    let arrive = () => {};
    setPageUiLoader(
      () =>
        new Promise<void>((resolve) => {
          arrive = () => {
            registerPageUi();
            resolve();
          };
        }),
    );
    const bar = createBulkHost(document, { start() {}, cancel() {} });
    document.body.append(bar.element);
    bar.show({ phase: 'idle', done: 0, total: 3 });
    bar.show({ phase: 'running', done: 1, total: 3 });
    await settle();
    expect(shadows.rootOf(bar.element).textContent).toContain('Check all quantizations');
    arrive();
    await settle();
    expect(shadows.rootOf(bar.element).textContent).toContain('Cancel');
    expect(bar.element.dataset).toMatchObject({ state: 'running', done: '1', total: '3' });
  });
});
