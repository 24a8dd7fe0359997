// Hardware learnt without asking the user: the Hugging Face account's saved hardware (handed over
// by the content script) and the GPUStack cluster's inventory. Kept in storage.local so the popup
// and later sessions use it too.

import { browser } from 'wxt/browser';
import type { KnownHardware } from './resolve';

const KEY = 'hardware.known.v1';

export async function loadKnownHardware(): Promise<KnownHardware> {
  return ((await browser.storage.local.get(KEY))[KEY] as KnownHardware | undefined) ?? {};
}

export async function saveKnownHardware(changes: KnownHardware): Promise<void> {
  await browser.storage.local.set({ [KEY]: { ...(await loadKnownHardware()), ...changes } });
}
