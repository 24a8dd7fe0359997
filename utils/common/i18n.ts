// Visible strings come from _locales (English and Simplified Chinese) through the browser's i18n
// (in unit and DOM tests, the tests' setup gives the fake browser the English messages).
//
// Content scripts get their strings from the worker instead (utils/page-messages.ts): a page's first
// browser.i18n lookup is a blocking call into the browser that costs the page's main thread several
// milliseconds; one message from the worker costs a fraction of that.

import { browser } from 'wxt/browser';
import type en from '../../public/_locales/en/messages.json';

export type MessageKey = keyof typeof en;

/** Messages by key, `{1}`…`{9}` where the substitutions go (utils/page-messages.ts makes them). */
export type MessageTemplates = Record<string, string>;

let templates: MessageTemplates = {};

/** Content scripts: use these templates before asking the browser. */
export function setMessageTemplates(next: MessageTemplates): void {
  templates = next;
}

/** The templates in use, to hand to the page UI's own bundle (utils/page/contract.ts). */
export function messageTemplates(): MessageTemplates {
  return templates;
}

export function t(key: MessageKey, ...substitutions: Array<string | number>): string {
  const subs = substitutions.map(String);
  const template = templates[key];
  // One pass, so a substitution that happens to read '{2}' stays as it is.
  if (template === undefined) return lookup(key, subs) ?? key;
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
