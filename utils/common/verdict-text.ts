// The words and colour of a verdict, shared by the compact control, its popover, the page's
// announcements and the popup: one place decides what "fits" means to people.

import { formatBytes } from '../lib/format';
import { t } from './i18n';
import type { CheckResult } from './result';

/** Colour family of a verdict: fits on GPUs, partial offload, CPU only, won't fit, no verdict. */
export type Tone = 'fit' | 'partial' | 'cpu' | 'nofit' | 'unknown';

export function verdictOf(r: CheckResult): { tone: Tone; text: string } {
  if (r.compatible === false) return { tone: 'nofit', text: t('verdictNoFit') };
  // Resources fit, yet it may not deploy: never a plain "fits".
  if (r.caveats?.includes('no-gguf-backend')) return { tone: 'partial', text: t('verdictFitsNoBackend') };
  if (r.caveats?.includes('several-workers'))
    return { tone: 'partial', text: t('verdictFitsSeveralWorkers') };
  switch (r.placement) {
    case 'single-gpu':
      return { tone: 'fit', text: t('verdictSingleGpu') };
    case 'multi-gpu':
      return { tone: 'fit', text: t('verdictMultiGpu', r.vramPerGpu?.length || 2) };
    case 'distributed':
      return { tone: 'fit', text: t('verdictDistributed') };
    case 'partial':
      return { tone: 'partial', text: t('verdictPartial', r.offloadedLayers ?? '?', r.totalLayers ?? '?') };
    case 'cpu':
      return { tone: 'cpu', text: t('verdictCpu') };
  }
  return r.compatible
    ? { tone: 'fit', text: t('verdictFits') }
    : { tone: 'unknown', text: t('verdictUnknown') };
}

/** "VRAM 5.10 GiB · RAM 1.20 GiB", leaving out what the engine did not say. */
export function memoryText(r: CheckResult): string {
  const parts: string[] = [];
  // CPU only: "VRAM 0 B" would be noise.
  if (r.vramBytes) parts.push(t('verdictVram', formatBytes(r.vramBytes)));
  if (r.ramBytes !== undefined) parts.push(t('verdictRam', formatBytes(r.ramBytes)));
  return parts.join(' · ');
}

/** "checked 5 min ago": coarse on purpose, so a page repaints it once a minute at most. */
export function agoText(at: number, now: number): string {
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) return t('verdictAgoNow');
  if (minutes < 60) return t('verdictAgoMin', minutes);
  if (minutes < 48 * 60) return t('verdictAgoHours', Math.floor(minutes / 60));
  return t('verdictAgoDays', Math.floor(minutes / 1440));
}

/** Entirely on GPUs of one machine: what "the one to pick" of a bulk check asks for. */
export function fitsOnGpu(r: CheckResult): boolean {
  return r.placement === 'single-gpu' || r.placement === 'multi-gpu';
}

/** One sentence for screen readers: the verdict and its memory. */
export function verdictSentence(r: CheckResult): string {
  return `${verdictOf(r).text}, ${memoryText(r)}`;
}
