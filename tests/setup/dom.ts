// Saved Hugging Face pages link stylesheets, scripts and fonts on the real web. Tests make no
// connection outside this machine: happy-dom loads no resources and any fetch it tries is refused.
import { vi } from 'vitest';
import { registerPageUi } from '../../components/page/page-ui';

type HappyDomWindow = { happyDOM?: { settings: { fetch: { interceptor: unknown } } } };

const happyDOM = (window as unknown as HappyDomWindow).happyDOM;
if (happyDOM) {
  happyDOM.settings.fetch.interceptor = {
    beforeAsyncRequest: async () => new Response('', { status: 503, statusText: 'Offline in tests' }),
    beforeSyncRequest: () => new Response('', { status: 503, statusText: 'Offline in tests' }),
  };
}
vi.stubGlobal('fetch', () => Promise.reject(new Error('Tests make no network requests.')));

// The page UI is its own module in the extension (utils/content/page-ui.ts); here it is simply there.
registerPageUi();
