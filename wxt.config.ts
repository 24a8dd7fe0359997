import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// Tests pre-grant their local servers' origins here: headless Chromium cannot answer a permission
// prompt. Release builds never set it.
const extraHostPermissions = (process.env.EXTRA_HOST_PERMISSIONS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean)
  .map((origin) => `${origin.replace(/\/+$/, '')}/*`);

export default defineConfig({
  srcDir: '.',
  modules: [],
  // Explicit imports everywhere: a reader sees where every name comes from.
  imports: false,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // scripting: the page UI script goes into a tab when its page first needs it.
    permissions: ['storage', 'scripting'],
    // entrypoints/huggingface.ts says why this is not a defineContentScript.
    content_scripts: [
      { matches: ['https://huggingface.co/*'], js: ['huggingface.js'], run_at: 'document_idle' },
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
    plugins: [preact()],
  }),
});
