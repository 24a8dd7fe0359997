// Visible strings come from _locales (English and Simplified Chinese) through the browser's i18n.
// Where the browser has none (unit tests, a missing key) the English text stands in.

import { browser } from 'wxt/browser';
import en from '../public/_locales/en/messages.json';

export type MessageKey = keyof typeof en;

export function t(key: MessageKey, ...substitutions: Array<string | number>): string {
  const subs = substitutions.map(String);
  try {
    const text = browser.i18n?.getMessage(key, subs);
    if (text) return text;
  } catch {
    // Fall through to English.
  }
  let text = en[key].message;
  subs.forEach((sub, i) => {
    const placeholders =
      (en[key] as { placeholders?: Record<string, { content: string }> }).placeholders ?? {};
    for (const [name, p] of Object.entries(placeholders)) {
      if (p.content === `$${i + 1}`) text = text.replaceAll(`$${name.toUpperCase()}$`, sub);
    }
  });
  return text;
}
