// The control's verdict and its popover: colours and words per placement, binary units, "checked …
// ago", bars per device against capacity, remote strings as text, the context-size re-estimate and
// "check again", keyboard and pointer handling, announcements, and Simplified Chinese.

import { readFileSync } from 'node:fs';
import { h, render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { CheckControl } from '../../components/shared/CheckControl';
import type { ControlState } from '../../utils/common/control-state';
import { setMessageTemplates } from '../../utils/common/i18n';
import { agoText } from '../../utils/common/verdict-text';
import { formatBytes } from '../../utils/lib/format';
import { startAnnotator } from '../../utils/page/annotator';
import { type CheckAsk, createCheckHost } from '../../utils/page/hosts/check-host';
import { readPageContext } from '../../utils/page/read/page-context';
import { pageMessageTemplates } from '../../utils/worker/page-strings';
import { HF, loadPage } from './load-page';
import { BARTOWSKI, fakeWorker, GIB, hostFor, recordShadowRoots, settle, verdict } from './page-support';

const FILE = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';

function textOf(view: ControlState, now = Date.now()): { text: string; tone: string } {
  const box = document.createElement('div');
  render(h(CheckControl, { view, now }), box);
  const label = box.firstElementChild as HTMLElement;
  return { text: label.textContent ?? '', tone: [...label.classList].find((c) => c.startsWith('v-')) ?? '' };
}

let shadows: ReturnType<typeof recordShadowRoots> | null = null;
afterEach(() => {
  shadows?.restore();
  shadows = null;
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('compact verdict (CheckControl)', () => {
  it.each([
    ['single-gpu', 'v-fit', 'Fits on GPU'],
    ['multi-gpu', 'v-fit', 'Fits on 2 GPUs'],
    ['partial', 'v-partial', 'Partial offload, 48 of 81 layers'],
    ['cpu', 'v-cpu', 'CPU only'],
    ['none', 'v-nofit', "Won't fit"],
  ] as const)('%s: %s, "%s"', (fit, tone, words) => {
    const shown = textOf({ state: 'done', result: verdict(FILE, fit) });
    expect(shown.tone).toBe(tone);
    expect(shown.text).toContain(words);
    expect(shown.text).toMatch(fit === 'cpu' ? /^CPU onlyRAM 6\.00 GiB/ : /VRAM \d+\.\d\d (GiB|MiB)/);
  });

  it('says what waits: queue position, rate-limit wait (counting down), checking, and errors', () => {
    expect(textOf({ state: 'queued', position: 3 }).text).toBe('Queued #3');
    expect(textOf({ state: 'waiting', until: 1_000_000 + 41_200 }, 1_000_000).text).toBe(
      'Waiting 42 s for the Hugging Face rate limit',
    );
    expect(textOf({ state: 'checking' }).text).toBe('Checking…');
    const error = textOf({
      state: 'error',
      error: { code: 'network', message: 'Offline.', retryable: true },
    });
    expect(error).toEqual({ text: 'Offline. · Try again', tone: 'v-nofit' });
  });

  it('binary units like GPUStack, and coarse ages', () => {
    expect(formatBytes(5.1 * GIB)).toBe('5.10 GiB');
    expect(formatBytes(419.84 * 1024 ** 2)).toBe('419.84 MiB');
    const now = 10 * 24 * 3600_000;
    expect(agoText(now - 20_000, now)).toBe('checked just now');
    expect(agoText(now - 5 * 60_000, now)).toBe('checked 5 min ago');
    expect(agoText(now - 3 * 3600_000, now)).toBe('checked 3 h ago');
    expect(agoText(now - 3 * 24 * 3600_000, now)).toBe('checked 3 d ago');
    const shown = textOf({ state: 'done', result: { ...verdict(FILE), checkedAt: now - 5 * 60_000 } }, now);
    expect(shown.text).toContain('checked 5 min ago');
  });

  it('marks the best fit', () => {
    const box = document.createElement('div');
    render(h(CheckControl, { view: { state: 'done', result: verdict(FILE) }, best: true }), box);
    expect(box.querySelector('.best')?.textContent).toBe('Best fit');
  });
});

function mountHost(result = verdict(FILE, 'none')) {
  shadows ??= recordShadowRoots();
  const asks: Array<CheckAsk | undefined> = [];
  const host = createCheckHost(document, { repo: BARTOWSKI, revision: 'main', file: FILE }, (_h, ask) =>
    asks.push(ask),
  );
  document.body.append(host.element);
  host.show({ state: 'done', result });
  const root = (shadows as NonNullable<typeof shadows>).rootOf(host.element);
  return { host, root, asks, pop: () => root.querySelector<HTMLElement>('.pop') };
}

describe('popover', () => {
  it('opens from the control as a dialog; bars per device show what does not fit and by how much', () => {
    const { host, root, pop } = mountHost();
    expect(host.element.getAttribute('aria-haspopup')).toBe('dialog');
    host.element.click();
    expect(host.element.getAttribute('aria-expanded')).toBe('true');
    const dialog = pop() as HTMLElement;
    expect(dialog.getAttribute('role')).toBe('dialog');
    expect(dialog.getAttribute('aria-label')).toBe('GPUStack compatibility details');
    const devices = [...root.querySelectorAll('.dev')];
    expect(devices.map((d) => d.querySelector('.row span')?.textContent)).toEqual(['RAM', 'NVIDIA RTX 4090']);
    // GPU: 40 GiB claimed of 24 GiB: over by 16 GiB, drawn past the capacity mark.
    const gpu = devices[1] as HTMLElement;
    expect(gpu.classList.contains('over')).toBe(true);
    expect(gpu.textContent).toContain('40.00 GiB of 24.00 GiB · 16.00 GiB too much');
    expect((gpu.querySelector('.cap') as HTMLElement).style.left).toBe('60.00%');
    expect((gpu.querySelector('.spill') as HTMLElement).style.width).toBe('40.00%');
    const widths = ['weights', 'kvCache', 'compute'].map(
      (p) => (gpu.querySelector(`.${p}`) as HTMLElement).style.width,
    );
    expect(widths).toEqual(['70.00%', '20.00%', '9.50%']);
    // RAM: 44 GiB of 32 GiB.
    expect(devices[0]?.textContent).toContain('44.00 GiB of 32.00 GiB · 12.00 GiB too much');
    expect(root.querySelector('.legend')?.textContent).toBe('WeightsKV cacheComputeProjectorOther');
    expect(dialog.textContent).toContain('Hardware: default: one 24 GiB GPU, 32 GiB RAM');
    expect(dialog.textContent).toContain('Engine: built-in estimate');
    expect(dialog.textContent).toContain('0 of 81 layers on GPU');
    expect(dialog.textContent).toContain(FILE);
  });

  it("shows the engine's messages as text, never as markup", () => {
    const hostile = '<img src=x onerror=alert(1)> & <b>bold</b>';
    const { host, root } = mountHost({ ...verdict(FILE), messages: [hostile] });
    host.element.click();
    expect(root.querySelector('img')).toBeNull();
    expect([...root.querySelectorAll('p')].some((p) => p.textContent === hostile)).toBe(true);
  });

  it('a context size re-estimates (force + ctxSize); "Check again" forces; built-in engine only', () => {
    const { host, root, asks } = mountHost(verdict(FILE));
    host.element.click();
    const select = root.querySelector('select') as HTMLSelectElement;
    expect(select.value).toBe('8192');
    expect([...select.options].map((o) => o.value)).toContain('32768');
    select.value = '32768';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(asks).toEqual([{ force: true, ctxSize: 32768 }]);
    host.show({ state: 'done', result: { ...verdict(FILE), contextSize: 32768 } });
    const again = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Check again');
    again?.click();
    expect(asks[1]).toEqual({ force: true, ctxSize: 32768 });
    // Clicks inside the popover are its own: it stays open.
    expect(host.element.getAttribute('aria-expanded')).toBe('true');
    const gpustack = mountHost({ ...verdict(FILE), engine: 'gpustack' });
    gpustack.host.element.click();
    expect(gpustack.root.querySelector('select')).toBeNull();
  });

  it('keeps the last answer while a re-check runs, its actions disabled', () => {
    const { host, pop } = mountHost(verdict(FILE));
    host.element.click();
    host.show({ state: 'checking' });
    expect(pop()).not.toBeNull();
    expect(
      [...(pop() as HTMLElement).querySelectorAll('button, select')]
        .slice(1)
        .every((b) => (b as HTMLButtonElement).disabled),
    ).toBe(true);
  });

  it('keyboard: Enter opens it and focus moves in; Escape closes it and focus returns', () => {
    const { host, root, pop } = mountHost();
    host.element.focus();
    host.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(pop()).not.toBeNull();
    expect(root.activeElement?.getAttribute('aria-label')).toBe('Close');
    (root.activeElement as HTMLElement).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    expect(pop()).toBeNull();
    expect(host.element.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(host.element);
    // Space opens it too; the close button closes it.
    host.element.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    (root.querySelector('.x') as HTMLElement).click();
    expect(pop()).toBeNull();
  });

  it('closes on a click outside, not on one inside', () => {
    const { host, pop } = mountHost();
    host.element.click();
    (pop() as HTMLElement).dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    expect(pop()).not.toBeNull();
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    expect(pop()).toBeNull();
  });
});

describe('on the page', () => {
  it("the popover's context size sends a forced check for that size; a verdict is announced", async () => {
    shadows = recordShadowRoots();
    const doc = loadPage('tree-gguf-2025.html');
    const worker = fakeWorker();
    startAnnotator(doc, readPageContext(doc, `${HF}/${BARTOWSKI}/tree/main`), { channel: worker.channel });
    const host = hostFor(doc, FILE);
    // The page's one live region comes with the first request, before its answer: a region that
    // appears with its text may go unread.
    expect(doc.querySelector('gpustack-live')).toBeNull();
    host.click();
    expect(doc.querySelectorAll('gpustack-live')).toHaveLength(1);
    expect(shadows.rootOf(doc.querySelector('gpustack-live')).textContent).toBe('');
    await settle();
    const live = shadows.rootOf(doc.querySelector('gpustack-live'));
    expect(live.querySelector('[aria-live="polite"]')?.textContent).toBe(
      `${FILE}: Fits on GPU, VRAM 5.10 GiB · RAM 419.84 MiB`,
    );
    host.click(); // opens the popover
    const select = shadows.rootOf(host).querySelector('select') as HTMLSelectElement;
    select.value = '16384';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(worker.checks().at(-1)).toMatchObject({
      file: FILE,
      ctxSize: 16384,
      force: true,
      priority: 'click',
    });
    expect(host.dataset.state).toBe('done');
    expect((shadows.rootOf(host).querySelector('select') as HTMLSelectElement).value).toBe('16384');
  });
});

describe('Simplified Chinese', () => {
  const zh = JSON.parse(readFileSync('public/_locales/zh_CN/messages.json', 'utf8')) as Record<
    string,
    { message: string; placeholders?: Record<string, { content: string }> }
  >;
  const getMessage = (key: string, subs: string | string[] = []) => {
    const entry = zh[key];
    if (!entry) return '';
    const list = Array.isArray(subs) ? subs : [subs];
    let text = entry.message;
    for (const [name, p] of Object.entries(entry.placeholders ?? {})) {
      text = text.replaceAll(`$${name.toUpperCase()}$`, list[Number(p.content.slice(1)) - 1] ?? '');
    }
    return text;
  };

  it('every string of the control, its popover and the bulk bar comes from the locale', async () => {
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(
      getMessage as typeof fakeBrowser.i18n.getMessage,
    );
    await expectChineseEverywhere();
  });

  it("the same from the worker's templates, without one browser.i18n lookup in the page", async () => {
    const lookup = vi
      .spyOn(fakeBrowser.i18n, 'getMessage')
      .mockImplementation(getMessage as typeof fakeBrowser.i18n.getMessage);
    // The worker makes them in the browser's language...
    const templates = pageMessageTemplates();
    expect(templates.bulkProgress).toBe(getMessage('bulkProgress', ['{1}', '{2}']));
    // ...and the page asks nobody else.
    lookup.mockImplementation(() => {
      throw new Error('the page called browser.i18n');
    });
    setMessageTemplates(templates);
    try {
      await expectChineseEverywhere();
    } finally {
      setMessageTemplates({});
    }
  });

  async function expectChineseEverywhere() {
    shadows = recordShadowRoots();
    const doc = loadPage('tree-gguf-2025.html');
    startAnnotator(doc, readPageContext(doc, `${HF}/${BARTOWSKI}/tree/main`), {
      channel: fakeWorker().channel,
    });
    const host = hostFor(doc, FILE);
    expect(host.getAttribute('aria-label')).toBe('检查 GPUStack 兼容性');
    expect(shadows.text(host)).toBe('检查 GPUStack');
    host.click();
    await settle();
    expect(shadows.text(host)).toBe('可在 GPU 上运行显存 5.10 GiB · 内存 419.84 MiB刚刚检查');
    host.click();
    const pop = shadows.rootOf(host).querySelector('.pop') as HTMLElement;
    expect(pop.getAttribute('aria-label')).toBe('GPUStack 兼容性详情');
    expect(pop.textContent).toContain('29 层中 29 层在 GPU 上');
    expect(pop.textContent).toContain('引擎：内置估算');
    expect(pop.textContent).toContain('上下文长度');
    expect(pop.textContent).toContain('重新检查');
    expect(shadows.rootOf(host).querySelector('.legend')?.textContent).toBe('权重KV 缓存计算视觉投影其他');
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    expect(shadows.rootOf(bar).textContent).toBe('检查全部量化版本');
  }
});
