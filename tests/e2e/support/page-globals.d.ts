// Code that Playwright runs inside extension pages sees Chrome's extension API as `chrome`.
declare const chrome: typeof import('wxt/browser').browser;
