// Asks the browser for the GPUStack server's origin (an optional host permission). Must be called
// straight from a click handler, before any other await: the browser wants a user gesture.

import { browser } from 'wxt/browser';
import { originPattern } from '../../utils/common/server-url';

export async function askForOrigin(origin: string): Promise<boolean> {
  try {
    return await browser.permissions.request({ origins: [originPattern(origin)] });
  } catch {
    // A pattern the browser refuses (or no permissions API): the request itself will tell.
    return false;
  }
}
