// Visible strings come from _locales (English and Simplified Chinese) through the browser's i18n.
// Where the browser has none (unit and DOM tests) the English messages stand in, installed by the
// tests' setup: extension pages and content scripts never need them, so they are not bundled.

import { browser } from 'wxt/browser';
import type en from '../public/_locales/en/messages.json';

export type MessageKey = keyof typeof en;
type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

let fallback: Messages = {};

/** Tests: the messages t() falls back to when the browser has none. */
export function setFallbackMessages(messages: Messages): void {
  fallback = messages;
}

export function t(key: MessageKey, ...substitutions: Array<string | number>): string {
  const subs = substitutions.map(String);
  try {
    const text = browser.i18n?.getMessage(key, subs);
    if (text) return text;
  } catch {
    // Fall through to English.
  }
  const entry = fallback[key];
  if (!entry) return key;
  let text = entry.message;
  subs.forEach((sub, i) => {
    for (const [name, p] of Object.entries(entry.placeholders ?? {})) {
      if (p.content === `$${i + 1}`) text = text.replaceAll(`$${name.toUpperCase()}$`, sub);
    }
  });
  return text;
}
