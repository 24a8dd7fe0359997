// Model cards (/{repo}) of GGUF repos in three variants: Hugging Face's quantization list (link form
// ?show_file_info=), a card without one (our own list in the sidebar from ModelHeader's
// ggufFilePaths, in a closed shadow root), and a 2024 card with neither (README links only).

import { afterEach, describe, expect, it } from 'vitest';
import { startAnnotator } from '../../utils/page/annotator';
import { readPageContext } from '../../utils/page/read/page-context';
import { HF, loadPage } from './load-page';
import {
  BARTOWSKI,
  fakeWorker,
  filesOf,
  HOSTILE,
  hostFor,
  hosts,
  ODD,
  recordShadowRoots,
  settle,
  verdict,
} from './page-support';

const CARD = `${HF}/${BARTOWSKI}`;
const MODELS = [
  HOSTILE,
  'Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf',
  ODD,
  'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
  'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
  'Qwen2.5-7B-Instruct-Q6_K.gguf',
  'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
];

function open(fixture: string, worker = fakeWorker()) {
  const doc = loadPage(fixture);
  const annotator = startAnnotator(doc, readPageContext(doc, CARD), { channel: worker.channel });
  if (!annotator) throw new Error('not annotated');
  return { doc, annotator, worker };
}

const quantLinks = (doc: Document) => [...doc.querySelectorAll('a[href*="show_file_info"]')];

let shadows: ReturnType<typeof recordShadowRoots>;
afterEach(() => shadows?.restore());

describe("model card with Hugging Face's quantization list (model-card-gguf-2025)", () => {
  it('puts a control beside each listed quantization (none for mmproj) and beside README links', () => {
    const { doc } = open('model-card-gguf-2025.html');
    const beside = quantLinks(doc).map((a) => [
      a.getAttribute('href')?.split('=')[1],
      (a.nextElementSibling as HTMLElement | null)?.localName === 'gpustack-check',
    ]);
    expect(beside).toEqual([
      ['Qwen2.5-7B-Instruct-IQ2_XXS.gguf', true],
      ['Qwen2.5-7B-Instruct-Q4_K_M.gguf', true],
      ['Qwen2.5-7B-Instruct-Q6_K.gguf', true],
      ['Q8_0%2FQwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf', true],
      ['Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf', true],
      ['mmproj-F16.gguf', false],
    ]);
    expect(doc.querySelector('table a[href$="mmproj-F16.gguf"] + gpustack-check')).toBeNull();
    expect(doc.querySelector('a[href$="imatrix.gguf"] + gpustack-check')).toBeNull();
    // It found the page's own list: no list of ours.
    expect(doc.querySelector('gpustack-quants')).toBeNull();
    // The bar sits right above the page's list.
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    expect(bar.nextElementSibling?.contains(quantLinks(doc)[0] as Element)).toBe(true);
  });

  it('controls of one file share one state, wherever they are on the card', async () => {
    const { doc } = open('model-card-gguf-2025.html');
    const q4 = hosts(doc).filter((h) => h.dataset.file === 'Qwen2.5-7B-Instruct-Q4_K_M.gguf');
    expect(q4).toHaveLength(3); // README table, "Not sure? Start with", the quant list
    q4[2]?.click();
    await settle();
    expect(q4.map((h) => h.dataset.state)).toEqual(['done', 'done', 'done']);
    expect(q4.every((h) => h.dataset.revision === 'main')).toBe(true);
  });
});

describe('model card without a quantization list of its own', () => {
  it('adds a compact list from ggufFilePaths in the sidebar, in a closed shadow root', () => {
    shadows = recordShadowRoots();
    const { doc } = open('model-card-gguf-2025-no-quant-list.html');
    const panel = doc.querySelector('gpustack-quants') as HTMLElement;
    expect(panel).not.toBeNull();
    expect(panel.shadowRoot).toBeNull();
    // In the sidebar (the section after the card's), at its top.
    expect(panel.parentElement?.localName).toBe('section');
    expect(panel.parentElement?.firstElementChild).toBe(panel);
    // One real control per model file, slotted into its row.
    const listed = [...panel.querySelectorAll<HTMLElement>(':scope > gpustack-check')];
    expect(listed.map((h) => h.dataset.file)).toEqual(MODELS);
    const root = shadows.rootOf(panel);
    expect([...root.querySelectorAll('li > span')].map((s) => s.textContent)).toEqual([
      '<img src=x onerror=alert(1)>.gguf',
      'Q8_0',
      'Q5_K_S',
      'IQ2_XXS',
      'Q4_K_M',
      'Q6_K',
      'F16',
    ]);
    expect(root.querySelectorAll('slot')).toHaveLength(MODELS.length);
    expect(root.querySelector('img')).toBeNull();
    expect(root.textContent).toContain('Check all quantizations');
    // The bulk bar lives in the panel; the README keeps its own controls.
    expect(doc.querySelector('gpustack-bulk')).toBeNull();
    expect(doc.querySelector('table a[href$="Q6_K.gguf"] + gpustack-check')).not.toBeNull();
  });

  it('without <section>s it goes right under the model header', () => {
    const doc = loadPage('model-card-gguf-2025-no-quant-list.html');
    for (const section of [...doc.querySelectorAll('section')]) {
      const div = doc.createElement('div');
      div.append(...section.childNodes);
      section.replaceWith(div);
    }
    startAnnotator(doc, readPageContext(doc, CARD), { channel: fakeWorker().channel });
    const panel = doc.querySelector('gpustack-quants');
    expect(panel?.previousElementSibling?.getAttribute('data-target')).toBe('ModelHeader');
  });

  it('gives way when the page draws its quantization list later, without duplicates', () => {
    const { doc, annotator } = open('model-card-gguf-2025-no-quant-list.html');
    const sidebar = doc.querySelector('gpustack-quants')?.parentElement as Element;
    const list = doc.createElement('div');
    for (const file of ['Qwen2.5-7B-Instruct-Q4_K_M.gguf', 'Qwen2.5-7B-Instruct-Q6_K.gguf']) {
      const a = doc.createElement('a');
      a.setAttribute('href', `/${BARTOWSKI}?show_file_info=${encodeURIComponent(file)}`);
      a.textContent = file;
      list.append(a);
    }
    sidebar.append(list);
    annotator.scan();
    annotator.scan();
    expect(doc.querySelector('gpustack-quants')).toBeNull();
    expect(list.querySelectorAll('gpustack-check')).toHaveLength(2);
    const inList = [...list.querySelectorAll<HTMLElement>('gpustack-check')].map((h) => h.dataset.file);
    expect(inList).toEqual(['Qwen2.5-7B-Instruct-Q4_K_M.gguf', 'Qwen2.5-7B-Instruct-Q6_K.gguf']);
  });

  it('"Check all" in the panel checks every model file and marks the best fit', async () => {
    shadows = recordShadowRoots();
    const sizes = (file: string) => (file.includes('Q8_0') ? 8.1e9 : file.includes('Q6_K') ? 6.25e9 : 4e9);
    const worker = fakeWorker({
      answer: (r) =>
        verdict(
          r.file,
          r.file.includes('Q8_0') || r.file.includes('f16') ? 'none' : 'single-gpu',
          sizes(r.file),
        ),
    });
    const { doc } = open('model-card-gguf-2025-no-quant-list.html', worker);
    const panel = doc.querySelector('gpustack-quants') as HTMLElement;
    shadows.rootOf(panel).querySelector('button')?.click();
    for (let i = 0; i < 10; i++) await settle();
    expect(panel.dataset).toMatchObject({
      state: 'done',
      done: String(MODELS.length),
      total: String(MODELS.length),
    });
    expect(new Set(worker.checks().map((c) => c.file))).toEqual(new Set(MODELS));
    expect(worker.checks().every((c) => c.priority === 'bulk')).toBe(true);
    const best = hosts(doc).filter((h) => h.dataset.best === 'true');
    expect(new Set(best.map((h) => h.dataset.file))).toEqual(new Set(['Qwen2.5-7B-Instruct-Q6_K.gguf']));
    expect(best.length).toBeGreaterThan(1); // the panel's control and the README's
    expect(shadows.rootOf(panel).textContent).toContain('Best fit: Q6_K');
    expect(hostFor(doc, 'Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf').dataset.compatible).toBe(
      'false',
    );
  });
});

describe('model card of 2024 (no ggufFilePaths, no quantization list)', () => {
  it('README table links get controls; the bulk bar sits above the table', () => {
    const { doc } = open('model-card-gguf-2024.html');
    expect(filesOf(doc)).toEqual([
      'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
      'Qwen2.5-7B-Instruct-Q6_K.gguf',
      'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
      'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
    ]);
    expect(doc.querySelector('gpustack-quants')).toBeNull();
    expect(doc.querySelector('gpustack-bulk')?.nextElementSibling?.localName).toBe('table');
  });
});
