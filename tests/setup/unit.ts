import 'fake-indexeddb/auto';
import { beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import en from '../../public/_locales/en/messages.json';
import { setFallbackMessages } from '../../utils/i18n';

// fakeBrowser has no i18n: the English messages stand in (the extension itself never bundles them).
setFallbackMessages(en);

beforeEach(() => {
  fakeBrowser.reset();
});
