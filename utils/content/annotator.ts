// Puts one control beside every GGUF model file the page shows, keeps them through re-renders and
// "Load more files" (a MutationObserver re-scan), and drives each control from the worker's replies.
// Controls for the same file share one state, so a re-rendered row shows what the old one did.

import { type CheckHost, createCheckHost, HOST_TAG } from '../../components/check-host';
import type { ControlState } from '../../components/control-state';
import type { Channel } from '../messaging/channel';
import type { PageContext } from '../page/data-props';
import { findCheckTargets } from '../page/find-targets';

export interface AnnotatorDeps {
  channel: Channel;
}

export interface Annotator {
  /** Scans the page now; returns how many controls it added. */
  scan(): number;
  stop(): void;
}

interface FileRef {
  revision: string;
  file: string;
}

const keyOf = ({ revision, file }: FileRef) => `${revision}\n${file}`;

export function startAnnotator(doc: Document, ctx: PageContext, deps: AnnotatorDeps): Annotator | null {
  if (!ctx.repo || ctx.repoType !== 'model' || !ctx.isGgufRepo) return null;
  const repo = ctx.repo;
  // A model card's URL names no revision: its links (and the page) are the main branch.
  const pageRevision = ctx.revision ?? 'main';
  const commitOf = (revision: string) =>
    revision === pageRevision && ctx.commit ? { commit: ctx.commit } : {};
  const views = new Map<string, ControlState>();
  const hosts = new Map<string, { ref: FileRef; hosts: Set<CheckHost> }>();

  function show(ref: FileRef, view: ControlState): void {
    views.set(keyOf(ref), view);
    for (const host of hosts.get(keyOf(ref))?.hosts ?? []) host.show(view);
  }

  async function check(ref: FileRef, force: boolean): Promise<void> {
    show(ref, { state: 'checking' });
    const request = { type: 'check', repo, ...ref, ...commitOf(ref.revision), priority: 'click' } as const;
    const reply = await deps.channel.request({ ...request, ...(force ? { force } : {}) }, (view) =>
      show(ref, view),
    );
    show(ref, reply.ok ? { state: 'done', result: reply.value } : { state: 'error', error: reply.error });
  }

  function scan(): number {
    let added = 0;
    for (const target of findCheckTargets(doc, ctx)) {
      const ref = { revision: target.revision ?? pageRevision, file: target.file };
      const next = target.anchor.nextElementSibling;
      if (next?.localName === HOST_TAG && (next as HTMLElement).dataset.file === target.file) continue;
      const host = createCheckHost(doc, { repo, ...ref }, (h) => {
        void check(ref, h.view().state === 'done');
      });
      const known = views.get(keyOf(ref));
      if (known) host.show(known);
      target.anchor.after(host.element);
      const entry = hosts.get(keyOf(ref)) ?? { ref, hosts: new Set() };
      entry.hosts.add(host);
      hosts.set(keyOf(ref), entry);
      added += 1;
    }
    // Forget hosts the page threw away with their rows.
    for (const entry of hosts.values()) {
      for (const host of entry.hosts) if (!host.element.isConnected) entry.hosts.delete(host);
    }
    return added;
  }

  /** Verdicts already cached show at once, without a request to anyone. */
  async function showCached(): Promise<void> {
    const byRevision = new Map<string, string[]>();
    for (const { ref } of hosts.values()) {
      if (views.has(keyOf(ref))) continue;
      byRevision.set(ref.revision, [...(byRevision.get(ref.revision) ?? []), ref.file]);
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
