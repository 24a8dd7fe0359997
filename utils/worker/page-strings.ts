// The worker's side of the content scripts' strings: every message a page shows, in the browser's
// language, as a template with `{1}`…`{9}` where t() puts the substitutions. The page asks once per
// tab (utils/content/page-session.ts) instead of paying for its own first browser.i18n lookup.

import en from '../../public/_locales/en/messages.json';
import { type MessageKey, type MessageTemplates, t } from '../common/i18n';

// What content scripts show: the control, verdicts, the popover, the bulk bar, our quant list.
const PAGE_KEY_PREFIXES = ['check', 'control', 'verdict', 'popover', 'bulk', 'page'];

const MARKERS = Array.from({ length: 9 }, (_, i) => `{${i + 1}}`);

export function pageMessageTemplates(): MessageTemplates {
  const out: MessageTemplates = {};
  for (const key of Object.keys(en) as MessageKey[]) {
    if (!PAGE_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    const text = t(key, ...MARKERS);
    if (text !== key) out[key] = text;
  }
  return out;
}
