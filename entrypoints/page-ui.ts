// Wiring only: the page's drawing beyond idle controls (components/page-ui.tsx), a module the page
// session imports when it first needs it (utils/content/page-ui.ts).

import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { registerPageUi } from '../components/page/page-ui';

export default defineUnlistedScript(() => registerPageUi());
