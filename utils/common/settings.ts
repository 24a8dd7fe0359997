// The user's settings, in storage.local. Secrets (the GPUStack API key, the Hugging Face token) are
// read only by the background worker and the options page: never sent to content scripts, never
// logged, never shown back in full.

import { browser } from 'wxt/browser';
import { parseServerUrl } from './server-url';

export type EngineChoice = 'auto' | 'gpustack' | 'builtin';
export type CacheType = 'f16' | 'q8_0' | 'q4_0';

export interface ManualHardware {
  /** Memory of each GPU, GiB. */
  gpuMemoryGiB: number;
  gpuCount: number;
  systemRamGiB: number;
  /** Apple Silicon and other unified-memory machines: GPU and CPU share one pool. */
  unifiedMemory: boolean;
}

export interface Settings {
  serverUrl: string;
  apiKey: string;
  /** The server origin the key was saved for: it is never sent anywhere else. */
  apiKeyOrigin: string;
  hfToken: string;
  engine: EngineChoice;
  /** GPUStack 2.x: the cluster and the GGUF-capable backend evaluations name. */
  clusterId: number | null;
  backend: string | null;
  ctxSize: number;
  flashAttention: boolean;
  cacheType: CacheType;
  parallel: number;
  hardwareMode: 'auto' | 'manual';
  manualHardware: ManualHardware;
}

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: '',
  apiKey: '',
  apiKeyOrigin: '',
  hfToken: '',
  engine: 'auto',
  clusterId: null,
  backend: null,
  // GPUStack's own defaults for llama.cpp.
  ctxSize: 8192,
  flashAttention: false,
  cacheType: 'f16',
  parallel: 4,
  hardwareMode: 'auto',
  manualHardware: { gpuMemoryGiB: 24, gpuCount: 1, systemRamGiB: 32, unifiedMemory: false },
};

const KEY = 'settings.v1';

/** The origin of a server address, or '' when it is none. */
export function serverOrigin(serverUrl: string): string {
  return parseServerUrl(serverUrl)?.origin ?? '';
}

export async function loadSettings(): Promise<Settings> {
  const stored = (await browser.storage.local.get(KEY))[KEY] as Partial<Settings> | undefined;
  const settings = {
    ...DEFAULT_SETTINGS,
    ...stored,
    manualHardware: { ...DEFAULT_SETTINGS.manualHardware, ...stored?.manualHardware },
  };
  // Keys saved before the origin was recorded belong to the server saved with them.
  if (stored?.apiKey && stored.apiKeyOrigin === undefined)
    settings.apiKeyOrigin = serverOrigin(settings.serverUrl);
  return settings;
}

/** The API key for the saved server: empty unless it was saved for that server's origin. */
export function serverKey(settings: Pick<Settings, 'serverUrl' | 'apiKey' | 'apiKeyOrigin'>): string {
  const origin = serverOrigin(settings.serverUrl);
  return origin && settings.apiKeyOrigin === origin ? settings.apiKey : '';
}

export async function saveSettings(changes: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...changes };
  await browser.storage.local.set({ [KEY]: next });
  return next;
}

/** Calls `listener` whenever settings change (from options, in any context that may read them). */
export function watchSettings(listener: (settings: Settings) => void): () => void {
  const onChanged = (changes: Record<string, unknown>, area: string) => {
    if (area === 'local' && KEY in changes) void loadSettings().then(listener);
  };
  browser.storage.onChanged.addListener(onChanged);
  return () => browser.storage.onChanged.removeListener(onChanged);
}

/** "gpustack_ab…yz" style: enough to recognise a secret, never enough to use it. */
export function maskSecret(secret: string): string {
  if (!secret) return '';
  if (secret.length <= 8) return '••••';
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}
