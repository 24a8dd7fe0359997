import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';

// V8 compiles a function at its first call, on the main thread, unless the file asks for all of its
// functions at once with this comment at its top (Chromium 136+; other engines read a comment). A
// module asking so is compiled while it streams in, off the page's main thread. For the modules the
// content script imports (entrypoints/huggingface.ts): most of their code runs once they load.
export function compileEagerly(files: readonly string[]): Plugin {
  return {
    name: 'compile-eagerly',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && files.includes(chunk.fileName)) {
          chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
        }
      }
    },
  };
}

// Tests pre-grant their local servers' origins here: headless Chromium cannot answer a permission
// prompt. Release builds never set it.
const extraHostPermissions = (process.env.EXTRA_HOST_PERMISSIONS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean)
  .map((origin) => `${origin.replace(/\/+$/, '')}/*`);

/** The icon's sizes, drawn at build from assets/icon.svg (@wxt-dev/auto-icons: icons/SIZE.png). */
const ICON_SIZES = [16, 32, 48, 128];
const icons = Object.fromEntries(ICON_SIZES.map((size) => [size, `icons/${size}.png`]));

export default defineConfig({
  srcDir: '.',
  modules: ['@wxt-dev/auto-icons'],
  autoIcons: { baseIconPath: 'assets/icon.svg', sizes: ICON_SIZES },
  // Explicit imports everywhere: a reader sees where every name comes from.
  imports: false,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage'],
    // The toolbar button: the same icon the extension lists carry (manifest.icons, set by auto-icons).
    action: { default_icon: icons },
    // entrypoints/huggingface.ts says why this is not a defineContentScript.
    content_scripts: [
      { matches: ['https://huggingface.co/*'], js: ['huggingface.js'], run_at: 'document_idle' },
    ],
    // The content script imports its modules, so huggingface.co pages may load them. Chromium's
    // dynamic URL (a fresh id per browser session) keeps pages from probing for the extension by its
    // fixed id. Firefox has no such option: its extension URLs carry an id random per install, which
    // a page cannot learn from us (we put no extension URL on the page).
    web_accessible_resources: [
      {
        resources: ['page-session.js', 'page-ui.js'],
        matches: ['https://huggingface.co/*'],
        ...(browser === 'firefox' ? {} : { use_dynamic_url: true }),
      },
    ],
    host_permissions: [
      'https://huggingface.co/*',
      // /resolve/ answers with a redirect to these CDN hosts, which serve the GGUF header bytes.
      'https://*.hf.co/*',
      'https://*.huggingface.co/*',
      ...extraHostPermissions,
    ],
    // A GPUStack server is asked for when the user sets it, never granted at install.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // Firefox's default policy for extension pages adds upgrade-insecure-requests, which turns a LAN
    // server's http:// into https:// (a TLS handshake the server cannot answer). The same policy
    // without it, in both browsers: plain-http servers are reached as typed.
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'self';" },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'gpustack-check@gpustack-check.dev',
              strict_min_version: '142.0',
              // The extension collects nothing: it only asks huggingface.co and the user's own server.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
  zip: {
    // Store reviewers rebuild from the sources: tests, fixtures and benchmarks are not needed.
    excludeSources: ['tests/**', 'bench/**', 'docs/**', '.ci/**'],
  },
  vite: () => ({
    plugins: [preact(), compileEagerly(['page-session.js', 'page-ui.js'])],
  }),
});
