// Wiring only: the page's drawing beyond idle controls (components/page-ui.tsx), put into a tab by
// the worker when its content script first needs it (utils/content/page-ui.ts).

import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { registerPageUi } from '../components/page-ui';

export default defineUnlistedScript(() => registerPageUi());
