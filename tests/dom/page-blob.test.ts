// Single-file pages (/{repo}/blob/{rev}/{file}.gguf), two captured variants, and pages that get
// nothing: datasets, non-GGUF repos, a shard that is not the first, the home page.

import { describe, expect, it } from 'vitest';
import { startAnnotator } from '../../utils/page/annotator';
import { readPageContext } from '../../utils/page/read/page-context';
import { HF, loadPage } from './load-page';
import { fakeWorker, filesOf, hosts, settle } from './page-support';

function open(fixture: string, url: string, worker = fakeWorker()) {
  const doc = loadPage(fixture);
  return {
    doc,
    worker,
    annotator: startAnnotator(doc, readPageContext(doc, url), { channel: worker.channel }),
  };
}

describe('blob page of a .gguf file', () => {
  it.each([
    [
      'blob-gguf-file-2024-02.html',
      'TheBloke/Mistral-7B-Instruct-v0.2-GGUF',
      'mistral-7b-instruct-v0.2.Q4_K_M.gguf',
      '3a6fbf4a41a1d52e415a4958cde6856d34b2db93',
    ],
    [
      'blob-gguf-file-2025-11.html',
      'microsoft/Phi-3-mini-4k-instruct-gguf',
      'Phi-3-mini-4k-instruct-q4.gguf',
      '999f761fe19e26cf1a339a5ec5f9f201301cbb83',
    ],
  ])(
    "%s: one control, at the download link; a click checks that file at the page's commit",
    async (fixture, repo, file, commit) => {
      const { doc, worker } = open(fixture, `${HF}/${repo}/blob/main/${file}`);
      expect(filesOf(doc)).toEqual([file]);
      const host = hosts(doc)[0] as HTMLElement;
      expect(host.previousElementSibling?.getAttribute('href')).toContain(`/resolve/main/${file}`);
      expect(doc.querySelector('gpustack-bulk, gpustack-quants')).toBeNull();
      host.click();
      await settle();
      expect(worker.checks()).toEqual([
        expect.objectContaining({ type: 'check', repo, revision: 'main', file, priority: 'click', commit }),
      ]);
      expect(host.dataset.state).toBe('done');
    },
  );

  it("blob-readme-gguf-repo-2024-07: the README viewer's table of quantizations gets controls", () => {
    const { doc } = open(
      'blob-readme-gguf-repo-2024-07-signed-in.html',
      `${HF}/TheBloke/Mistral-7B-v0.1-GGUF/blob/main/README.md`,
    );
    expect(filesOf(doc)).toHaveLength(12);
    expect(hosts(doc).every((h) => h.previousElementSibling?.closest('td'))).toBe(true);
  });
});

describe('pages that get nothing', () => {
  it.each([
    ['tree-dataset-2025.html', `${HF}/datasets/fixture-org/gguf-eval-logs/tree/main`],
    ['tree-non-gguf-2025.html', `${HF}/Qwen/Qwen2.5-7B-Instruct/tree/main`],
    [
      'blob-non-gguf-2025-12-signed-in-with-hardware.html',
      `${HF}/fixture-user/wav2vec2-t5-Vietnamese/blob/main/config.json`,
    ],
    ['home-page-2026-03-no-models.html', `${HF}/`],
  ])('%s', (fixture, url) => {
    const { doc, annotator } = open(fixture, url);
    expect(annotator).toBeNull();
    expect(
      doc.querySelectorAll('gpustack-check, gpustack-bulk, gpustack-quants, gpustack-live'),
    ).toHaveLength(0);
  });

  it('the blob page of a second shard gets no control for itself', () => {
    const { doc } = open(
      'tree-gguf-2025.html',
      `${HF}/bartowski/Qwen2.5-7B-Instruct-GGUF/blob/main/Qwen2.5-7B-Instruct-f16-00002-of-00002.gguf`,
    );
    expect(filesOf(doc)).not.toContain('Qwen2.5-7B-Instruct-f16-00002-of-00002.gguf');
  });
});
