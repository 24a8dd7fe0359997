// Puts one control beside every GGUF model file the page shows, keeps them through re-renders and
// "Load more files" (a MutationObserver re-scan), and drives each control from the worker's replies.
// Controls for the same file share one state, so a re-rendered row shows what the old one did.

import { type CheckHost, createCheckHost, HOST_TAG } from '../../components/check-host';
import type { ControlState } from '../../components/control-state';
import type { Channel } from '../messaging/channel';
import { readPageContext } from '../page/data-props';
import { findCheckTargets } from '../page/find-targets';

export interface AnnotatorDeps {
  channel: Channel;
}

export interface Annotator {
  /** Scans the page now; returns how many controls it added. */
  scan(): number;
  stop(): void;
}

export function startAnnotator(doc: Document, url: URL, deps: AnnotatorDeps): Annotator | null {
  const ctx = readPageContext(doc, url);
  if (!ctx.repo || !ctx.revision || ctx.repoType !== 'model' || !ctx.isGgufRepo) return null;
  const repo = ctx.repo;
  const revision = ctx.revision;
  const commit = ctx.commit ?? undefined;
  const views = new Map<string, ControlState>();
  const hosts = new Map<string, Set<CheckHost>>();

  function show(file: string, view: ControlState): void {
    views.set(file, view);
    for (const host of hosts.get(file) ?? []) host.show(view);
  }

  async function check(file: string, force: boolean): Promise<void> {
    show(file, { state: 'checking' });
    const reply = await deps.channel.request(
      {
        type: 'check',
        repo,
        revision,
        file,
        ...(commit ? { commit } : {}),
        priority: 'click',
        ...(force ? { force } : {}),
      },
      (view) => show(file, view),
    );
    show(file, reply.ok ? { state: 'done', result: reply.value } : { state: 'error', error: reply.error });
  }

  function scan(): number {
    let added = 0;
    for (const target of findCheckTargets(doc, ctx)) {
      const next = target.anchor.nextElementSibling;
      if (next?.localName === HOST_TAG && (next as HTMLElement).dataset.file === target.file) continue;
      const host = createCheckHost(doc, { repo, revision, file: target.file }, (h) => {
        void check(h.file, h.view().state === 'done');
      });
      const known = views.get(target.file);
      if (known) host.show(known);
      target.anchor.after(host.element);
      const set = hosts.get(target.file) ?? new Set();
      set.add(host);
      hosts.set(target.file, set);
      added += 1;
    }
    // Forget hosts the page threw away with their rows.
    for (const set of hosts.values()) {
      for (const host of set) if (!host.element.isConnected) set.delete(host);
    }
    return added;
  }

  async function showCached(): Promise<void> {
    const files = [...hosts.keys()];
    if (files.length === 0) return;
    const reply = await deps.channel.request({
      type: 'cached',
      repo,
      revision,
      ...(commit ? { commit } : {}),
      files,
    });
    if (!reply.ok) return;
    for (const [file, result] of Object.entries(reply.value)) {
      if (views.get(file)?.state === undefined) show(file, { state: 'done', result });
    }
  }

  scan();
  void showCached();

  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    // One re-scan per burst of mutations.
    queueMicrotask(() => {
      pending = false;
      if (scan() > 0) void showCached();
    });
  });
  observer.observe(doc.body, { childList: true, subtree: true });

  return { scan, stop: () => observer.disconnect() };
}
