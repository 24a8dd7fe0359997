// The options form's state and its rules, apart from the UI: settings in, checked changes out.
// Secrets never come back into the form: a field starts empty, an empty field keeps what is stored,
// and only an explicit "Remove" clears it.

import { type MessageKey, t } from '../../utils/common/i18n';
import { parseServerUrl } from '../../utils/common/server-url';
import { type CacheType, type EngineChoice, type Settings, serverOrigin } from '../../utils/common/settings';

export interface SecretInput {
  /** What the user typed this time; empty keeps the stored secret. */
  typed: string;
  remove: boolean;
}

export interface FormState {
  serverUrl: string;
  apiKey: SecretInput;
  hfToken: SecretInput;
  engine: EngineChoice;
  clusterId: number | null;
  backend: string | null;
  ctxSize: string;
  flashAttention: boolean;
  cacheType: CacheType;
  parallel: string;
  hardwareMode: 'auto' | 'manual';
  gpuMemoryGiB: string;
  gpuCount: string;
  systemRamGiB: string;
  unifiedMemory: boolean;
}

export type FieldName = 'serverUrl' | 'ctxSize' | 'parallel' | 'gpuMemoryGiB' | 'gpuCount' | 'systemRamGiB';
export type FieldErrors = Partial<Record<FieldName, string>>;

export const CACHE_TYPES: readonly CacheType[] = ['f16', 'q8_0', 'q4_0'];
export const ENGINES: ReadonlyArray<{ value: EngineChoice; label: MessageKey }> = [
  { value: 'auto', label: 'optionsEngineAuto' },
  { value: 'gpustack', label: 'optionsEngineGpustack' },
  { value: 'builtin', label: 'optionsEngineBuiltin' },
];

const emptySecret = (): SecretInput => ({ typed: '', remove: false });

export function formFromSettings(settings: Settings): FormState {
  const hw = settings.manualHardware;
  return {
    serverUrl: settings.serverUrl,
    apiKey: emptySecret(),
    hfToken: emptySecret(),
    engine: settings.engine,
    clusterId: settings.clusterId,
    backend: settings.backend,
    ctxSize: String(settings.ctxSize),
    flashAttention: settings.flashAttention,
    cacheType: settings.cacheType,
    parallel: String(settings.parallel),
    hardwareMode: settings.hardwareMode,
    gpuMemoryGiB: String(hw.gpuMemoryGiB),
    gpuCount: String(hw.gpuCount),
    systemRamGiB: String(hw.systemRamGiB),
    unifiedMemory: hw.unifiedMemory,
  };
}

/** The secret to store: a new one, none, or the stored one kept. */
export function secretToSave(input: SecretInput, stored: string): string {
  if (input.typed.trim()) return input.typed.trim();
  return input.remove ? '' : stored;
}

/**
 * The API key and the origin it belongs to. A key typed now belongs to the address saved with it; a
 * kept key stays only while the address keeps its origin (scheme, host, port): it never follows a
 * changed address, whatever the user saves.
 */
export function keyToSave(form: FormState, stored: Settings): { apiKey: string; apiKeyOrigin: string } {
  const origin = serverOrigin(form.serverUrl);
  if (form.apiKey.typed.trim()) return { apiKey: form.apiKey.typed.trim(), apiKeyOrigin: origin };
  const apiKey = secretToSave(form.apiKey, stored.apiKey);
  if (!apiKey || stored.apiKeyOrigin !== origin) return { apiKey: '', apiKeyOrigin: '' };
  return { apiKey, apiKeyOrigin: origin };
}

/** The saved key would be dropped on Save: it belongs to another server than the one typed. */
export function keyLeftBehind(form: FormState, stored: Settings): boolean {
  return (
    Boolean(stored.apiKey) &&
    !form.apiKey.typed.trim() &&
    !form.apiKey.remove &&
    stored.apiKeyOrigin !== serverOrigin(form.serverUrl)
  );
}

function whole(text: string, min: number, max: number): number | string {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    return t('optionsInvalidNumber', String(min), String(max));
  }
  return value;
}

function amount(text: string, min: number, max: number): number | string {
  const value = Number(text.trim().replace(',', '.'));
  if (!text.trim() || !Number.isFinite(value) || value < min || value > max) {
    return t('optionsInvalidAmount', String(min), String(max));
  }
  return value;
}

/** The settings to save, or what is wrong with which field. */
export function changesFromForm(
  form: FormState,
  stored: Settings,
): { changes: Partial<Settings>; errors: null } | { changes: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const serverUrl = form.serverUrl.trim();
  if (serverUrl && !parseServerUrl(serverUrl)) errors.serverUrl = t('gpustackBadUrl', serverUrl);
  // llama.cpp's own bounds are wider; these catch typos without refusing real setups.
  const ctxSize = whole(form.ctxSize, 256, 1_048_576);
  const parallel = whole(form.parallel, 1, 256);
  const manual = form.hardwareMode === 'manual';
  const gpuMemoryGiB = amount(form.gpuMemoryGiB, 0, 4096);
  const gpuCount = whole(form.gpuCount, 0, 64);
  const systemRamGiB = amount(form.systemRamGiB, 0.5, 65_536);
  if (typeof ctxSize === 'string') errors.ctxSize = ctxSize;
  if (typeof parallel === 'string') errors.parallel = parallel;
  // Manual hardware is checked only when it is used; Auto keeps whatever was stored.
  if (manual && typeof gpuMemoryGiB === 'string') errors.gpuMemoryGiB = gpuMemoryGiB;
  if (manual && typeof gpuCount === 'string') errors.gpuCount = gpuCount;
  if (manual && typeof systemRamGiB === 'string') errors.systemRamGiB = systemRamGiB;
  if (Object.keys(errors).length > 0) return { changes: null, errors };

  const num = (value: number | string, fallback: number) => (typeof value === 'number' ? value : fallback);
  return {
    errors: null,
    changes: {
      serverUrl,
      ...keyToSave(form, stored),
      hfToken: secretToSave(form.hfToken, stored.hfToken),
      engine: form.engine,
      clusterId: form.clusterId,
      backend: form.backend,
      ctxSize: num(ctxSize, stored.ctxSize),
      flashAttention: form.flashAttention,
      cacheType: form.cacheType,
      parallel: num(parallel, stored.parallel),
      hardwareMode: form.hardwareMode,
      manualHardware: {
        gpuMemoryGiB: num(gpuMemoryGiB, stored.manualHardware.gpuMemoryGiB),
        gpuCount: num(gpuCount, stored.manualHardware.gpuCount),
        systemRamGiB: num(systemRamGiB, stored.manualHardware.systemRamGiB),
        unifiedMemory: form.unifiedMemory,
      },
    },
  };
}
