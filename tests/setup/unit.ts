import 'fake-indexeddb/auto';
import { beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import en from '../../public/_locales/en/messages.json';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

/** chrome.i18n.getMessage over the English catalogue: $NAME$ placeholders filled from $1, $2... */
function englishMessage(key: string, substitutions?: string | string[]): string {
  const entry = (en as Messages)[key];
  if (!entry) return '';
  const subs = typeof substitutions === 'string' ? [substitutions] : (substitutions ?? []);
  let text = entry.message;
  for (const [name, { content }] of Object.entries(entry.placeholders ?? {})) {
    const sub = subs[Number(content.slice(1)) - 1];
    if (sub !== undefined) text = text.replaceAll(`$${name.toUpperCase()}$`, sub);
  }
  return text;
}

beforeEach(() => {
  fakeBrowser.reset();
  // fakeBrowser has no i18n: the English messages stand in (the extension reads _locales).
  Object.assign(fakeBrowser, { i18n: { ...fakeBrowser.i18n, getMessage: englishMessage } });
});
