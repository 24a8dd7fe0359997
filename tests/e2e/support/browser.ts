// Launches Debian's Chromium with the built extension, offline: every host name resolves through the
// given --host-resolver-rules (the local impersonators) or not at all.
//
// Service worker control goes through the DevTools ServiceWorker domain on a CDP session of a
// dedicated about:blank tab (`stopWorker`: ServiceWorker.stopWorker; `wakeWorker`:
// ServiceWorker.startWorker). What Chromium 156 + Playwright 1.65 do, seen in probes:
// - stopping sends Inspector.targetCrashed on the worker's target; the target itself stays (it
//   belongs to the worker *version*), so no 'close' and no new 'serviceworker' event follow;
// - Playwright then drops the worker's execution context and binds the next one when the same
//   version starts again: the same Worker handle is valid after a restart, and evaluate() on a
//   stopped worker waits (until the test times out) for it to start.
// So `worker()` always wakes the worker first, and proofs of a restart compare state (a global set
// before is gone, performance.timeOrigin changed), never handle identity.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type CDPSession, chromium, type Page, type Worker } from 'playwright-core';

/** The repository root (this file is tests/e2e/support/browser.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where `npx wxt build` puts the Chrome MV3 build. */
export const DEFAULT_EXTENSION_DIR = join(REPO_ROOT, '.output', 'chrome-mv3');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEBIAN_LOCALES = '/usr/lib/chromium/locales';

export type Locale = 'en' | 'zh-CN';
export type WorkerStatus = 'stopped' | 'starting' | 'running' | 'stopping';

export interface LaunchExtensionOptions {
  /** From the impersonators, e.g. `hf.hostResolverRules`; must end with `MAP * ~NOTFOUND`. */
  hostResolverRules: string;
  /** Browser UI language (what chrome.i18n uses). Default 'en'. */
  locale?: Locale;
  /** Unpacked extension; default .output/chrome-mv3 of this repo. */
  extensionDir?: string;
  /** More Chromium switches. */
  args?: string[];
  /** Limit for waits on the worker (ms). Default 15 s. */
  timeoutMs?: number;
}

export interface ExtensionSession {
  context: BrowserContext;
  extensionId: string;
  /** chrome-extension://ID */
  extensionOrigin: string;
  extensionDir: string;
  userDataDir: string;
  /** Console messages of pages and the worker, as "[type] text", for failure messages. */
  consoleMessages: string[];
  /** The extension's service worker, started first if it was stopped. */
  worker(): Promise<Worker>;
  /** Last running status DevTools reported for the worker. */
  workerStatus(): WorkerStatus;
  /** Stops the worker (as Chromium does when idle) and resolves once DevTools reports it stopped. */
  stopWorker(): Promise<void>;
  /** Starts the worker if needed (as an incoming event would) and resolves with its handle. */
  wakeWorker(): Promise<Worker>;
  /** Resolves once the worker runs, whatever woke it (e.g. a page's runtime.sendMessage). */
  waitForWorkerRunning(): Promise<void>;
  /** Opens chrome-extension://ID/{path} in a new tab. */
  openExtensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium's id for an unpacked extension: from the manifest key, else from the folder path. */
export function extensionIdFor(extensionDir: string): string {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')) as { key?: string };
  const source = manifest.key ? Buffer.from(manifest.key, 'base64') : realpathSync(extensionDir);
  const hex = createHash('sha256').update(source).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
}

export async function launchExtension(options: LaunchExtensionOptions): Promise<ExtensionSession> {
  const extensionDir = resolve(options.extensionDir ?? DEFAULT_EXTENSION_DIR);
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No extension at ${extensionDir}: run \`npx wxt build\` first.`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: run \`node tests/e2e/ensure-chromium.mjs\`.`);
  }
  if (!/MAP \* ~NOTFOUND/.test(options.hostResolverRules)) {
    throw new Error('hostResolverRules must end with "MAP * ~NOTFOUND" so nothing leaves the machine');
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const locale = options.locale ?? 'en';
  // Debian ships the UI translations apart; without them Chromium silently stays in en-US.
  if (locale !== 'en' && existsSync(DEBIAN_LOCALES) && !existsSync(join(DEBIAN_LOCALES, `${locale}.pak`))) {
    throw new Error(`Chromium has no ${locale} UI translation: apt-get install -y chromium-l10n`);
  }
  const extensionId = extensionIdFor(extensionDir);
  const extensionOrigin = `chrome-extension://${extensionId}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      ignoreHTTPSErrors: true,
      // Playwright passes --disable-extensions by default.
      ignoreDefaultArgs: ['--disable-extensions'],
      // Chromium on Linux takes its UI language from LANGUAGE; --lang alone is ignored.
      env: { ...process.env, LANGUAGE: locale === 'zh-CN' ? 'zh_CN' : 'en_US' },
      timeout: 30_000,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--no-proxy-server',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--lang=${locale === 'zh-CN' ? 'zh-CN' : 'en-US'}`,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        `--host-resolver-rules=${options.hostResolverRules}`,
        // Needed for the service worker's fetches: ignoreHTTPSErrors only covers pages.
        '--ignore-certificate-errors',
        ...(options.args ?? []),
      ],
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }

  const consoleMessages: string[] = [];
  context.on('console', (message) => consoleMessages.push(`[${message.type()}] ${message.text()}`));
  const isOurs = (worker: Worker) => worker.url().startsWith(`${extensionOrigin}/`);
  const closedWorkers = new WeakSet<Worker>();
  const watch = (worker: Worker) => worker.once('close', () => closedWorkers.add(worker));
  context.on('serviceworker', watch);
  context.serviceWorkers().forEach(watch);

  const control = new WorkerControl(context, extensionOrigin, timeoutMs);
  const liveWorker = async (): Promise<Worker> => {
    const live = context.serviceWorkers().filter((worker) => isOurs(worker) && !closedWorkers.has(worker));
    const latest = live.at(-1);
    if (latest) return latest;
    return context.waitForEvent('serviceworker', { predicate: isOurs, timeout: timeoutMs });
  };

  let closed = false;
  const session: ExtensionSession = {
    context,
    extensionId,
    extensionOrigin,
    extensionDir,
    userDataDir,
    consoleMessages,
    worker: async () => {
      await control.start();
      return liveWorker();
    },
    workerStatus: () => control.status(),
    stopWorker: () => control.stop(),
    wakeWorker: async () => {
      await control.start();
      return liveWorker();
    },
    waitForWorkerRunning: () => control.waitFor('running'),
    openExtensionPage: async (path) => {
      const page = await context.newPage();
      await page.goto(`${extensionOrigin}/${path.replace(/^\/+/, '')}`);
      return page;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      try {
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // A leftover temp profile is not worth failing a test for.
      }
    },
  };

  try {
    // Installing the extension starts its worker: wait for it so tests begin from a settled state.
    await liveWorker();
    await control.waitFor('running');
  } catch (error) {
    await session.close();
    throw new Error(
      `The extension's service worker did not start (${extensionDir}). Console:\n${consoleMessages.join('\n')}`,
      { cause: error },
    );
  }
  return session;
}

interface VersionInfo {
  versionId: string;
  registrationId: string;
  runningStatus: WorkerStatus;
  status: string;
}

/** Tracks the extension's worker version through DevTools' ServiceWorker domain, and drives it. */
class WorkerControl {
  private readonly versions = new Map<string, VersionInfo>();
  private readonly scopes = new Map<string, string>();
  private session?: Promise<CDPSession>;
  private page?: Page;
  /** How many times each version went to 'stopped', from DevTools' events. */
  private readonly stops = new Map<string, number>();

  constructor(
    private readonly context: BrowserContext,
    private readonly origin: string,
    private readonly timeoutMs: number,
  ) {}

  status(): WorkerStatus {
    return this.current()?.runningStatus ?? 'stopped';
  }

  async stop(): Promise<void> {
    const session = await this.cdp();
    const version = await this.version();
    if (version.runningStatus === 'stopped') return;
    const stoppedTimes = () => this.stops.get(version.versionId) ?? 0;
    const stopsBefore = stoppedTimes();
    await session.send('ServiceWorker.stopWorker', { versionId: version.versionId });
    // Counted from events, so a worker that something restarts right away still counts as stopped.
    await this.until(() => stoppedTimes() > stopsBefore, 'the service worker to stop');
  }

  async start(): Promise<void> {
    const session = await this.cdp();
    let version = await this.version();
    if (version.runningStatus === 'running') return;
    if (version.runningStatus === 'stopping') {
      await this.until(
        () => this.current()?.runningStatus !== 'stopping',
        'the service worker to finish stopping',
      );
      version = await this.version();
    }
    if (version.runningStatus === 'stopped') {
      await session.send('ServiceWorker.startWorker', { scopeURL: `${this.origin}/` });
    }
    await this.waitFor('running');
  }

  async waitFor(status: WorkerStatus): Promise<void> {
    await this.cdp();
    await this.until(() => this.current()?.runningStatus === status, `the service worker to be ${status}`);
  }

  private async version(): Promise<VersionInfo> {
    await this.cdp();
    await this.until(() => this.current() !== undefined, 'DevTools to report the service worker');
    return this.current() as VersionInfo;
  }

  /** The newest live version registered for the extension's scope. */
  private current(): VersionInfo | undefined {
    let best: VersionInfo | undefined;
    for (const version of this.versions.values()) {
      if (this.scopes.get(version.registrationId) !== `${this.origin}/` || version.status === 'redundant')
        continue;
      if (!best || Number(version.versionId) > Number(best.versionId)) best = version;
    }
    return best;
  }

  private cdp(): Promise<CDPSession> {
    if (this.page?.isClosed()) this.session = undefined;
    this.session ??= this.openSession();
    return this.session;
  }

  private async openSession(): Promise<CDPSession> {
    // A tab of our own: tests may navigate or close theirs. The domain sees every worker of the profile.
    const page = await this.context.newPage();
    this.page = page;
    const session = await this.context.newCDPSession(page);
    session.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      for (const registration of registrations) {
        if (registration.isDeleted) this.scopes.delete(registration.registrationId);
        else this.scopes.set(registration.registrationId, registration.scopeURL);
      }
    });
    session.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const version of versions) {
        const previous = this.versions.get(version.versionId);
        if (version.runningStatus === 'stopped' && previous && previous.runningStatus !== 'stopped') {
          this.stops.set(version.versionId, (this.stops.get(version.versionId) ?? 0) + 1);
        }
        this.versions.set(version.versionId, {
          versionId: version.versionId,
          registrationId: version.registrationId,
          runningStatus: version.runningStatus,
          status: version.status,
        });
      }
    });
    await session.send('ServiceWorker.enable');
    return session;
  }

  private async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${this.timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
