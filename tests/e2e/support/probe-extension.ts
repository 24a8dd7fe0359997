// A throwaway MV3 extension with the same shape as the real build (background.js service worker, a
// popup that messages it, the same host permissions). The harness's own tests use it when the real
// extension is not built, so the browser plumbing can be checked on its own.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EXTENSION_DIR } from './browser';

const MANIFEST = {
  manifest_version: 3,
  name: 'e2e harness probe',
  version: '0.0.1',
  background: { service_worker: 'background.js' },
  action: { default_popup: 'popup.html' },
  permissions: ['storage'],
  host_permissions: ['https://huggingface.co/*', 'https://*.hf.co/*', 'https://*.huggingface.co/*'],
};

// Registered synchronously at top level, as MV3 requires for events to wake the worker.
const BACKGROUND = `const startedAt = Date.now();
chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message && message.type === 'probe-ping') {
    sendResponse({ pong: true, startedAt, marker: globalThis.__marker ?? null });
  }
  return false;
});
`;

const POPUP_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>probe</title></head>
<body><script src="popup.js"></script></body></html>
`;

const POPUP_JS = `chrome.runtime.sendMessage({ type: 'probe-ping' }).then((reply) => {
  document.body.dataset.reply = JSON.stringify(reply);
});
`;

/** Writes the probe extension into `dir` (default: a new temp dir) and returns the dir. */
export function writeProbeExtension(dir = mkdtempSync(join(tmpdir(), 'e2e-probe-ext-'))): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(MANIFEST, null, 2));
  writeFileSync(join(dir, 'background.js'), BACKGROUND);
  writeFileSync(join(dir, 'popup.html'), POPUP_HTML);
  writeFileSync(join(dir, 'popup.js'), POPUP_JS);
  return dir;
}

/**
 * The real build (`npx wxt build` -> .output/chrome-mv3) when it exists and has a background service
 * worker, else undefined.
 */
export function builtExtensionDir(dir = DEFAULT_EXTENSION_DIR): string | undefined {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      background?: { service_worker?: string };
    };
    return manifest.background?.service_worker ? dir : undefined;
  } catch {
    return undefined;
  }
}
