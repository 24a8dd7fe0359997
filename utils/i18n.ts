// Visible strings come from _locales (English and Simplified Chinese) through the browser's i18n.
// Where the browser has none (unit and DOM tests) the English messages stand in, installed by the
// tests' setup: extension pages and content scripts never need them, so they are not bundled.
//
// Content scripts get their strings from the worker instead (utils/page-messages.ts): a page's first
// browser.i18n lookup is a blocking call into the browser that costs the page's main thread several
// milliseconds; one message from the worker costs a fraction of that.

import { browser } from 'wxt/browser';
import type en from '../public/_locales/en/messages.json';

export type MessageKey = keyof typeof en;
type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

/** Messages by key, `{1}`…`{9}` where the substitutions go (utils/page-messages.ts makes them). */
export type MessageTemplates = Record<string, string>;

let fallback: Messages = {};
let templates: MessageTemplates = {};

/** Tests: the messages t() falls back to when the browser has none. */
export function setFallbackMessages(messages: Messages): void {
  fallback = messages;
}

/** Content scripts: use these templates before asking the browser. */
export function useMessageTemplates(next: MessageTemplates): void {
  templates = next;
}

export function t(key: MessageKey, ...substitutions: Array<string | number>): string {
  const subs = substitutions.map(String);
  const template = templates[key];
  // One pass, so a substitution that happens to read '{2}' stays as it is.
  if (template === undefined) return lookup(key, subs) ?? fallbackText(key, subs);
  if (!template.includes('{')) return template;
  return template.replace(/\{([1-9])\}/g, (m, n) => subs[Number(n) - 1] ?? m);
}

function lookup(key: MessageKey, subs: string[]): string | null {
  try {
    return browser.i18n?.getMessage(key, subs) || null;
  } catch {
    return null;
  }
}

function fallbackText(key: string, subs: string[]): string {
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
