// What wxt.config.ts writes for each browser: the content script's modules web-accessible to
// huggingface.co only (Chromium: under its per-session URL; Firefox has no such option), no
// permission beyond storage, and the V8 compile hint at the top of exactly the modules asked for.

import { describe, expect, it } from 'vitest';
import config, { compileEagerly } from '../../wxt.config';

type ManifestFn = (env: { browser: string; manifestVersion: 3; mode: string; command: string }) => {
  permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  web_accessible_resources?: unknown[];
  browser_specific_settings?: unknown;
  content_security_policy?: { extension_pages?: string };
  action?: { default_icon?: Record<string, string> };
};

const manifestFor = (browser: string) =>
  (config.manifest as unknown as ManifestFn)({
    browser,
    manifestVersion: 3,
    mode: 'production',
    command: 'build',
  });

const MODULES = ['page-session.js', 'page-ui.js'];

describe('manifest', () => {
  it('Chromium: the modules for huggingface.co only, under a per-session URL; storage is the only permission', () => {
    const manifest = manifestFor('chrome');
    expect(manifest.permissions).toEqual(['storage']);
    expect(manifest.web_accessible_resources).toEqual([
      { resources: MODULES, matches: ['https://huggingface.co/*'], use_dynamic_url: true },
    ]);
  });

  it('Firefox: the same resources without the key it does not know, and its own settings', () => {
    const manifest = manifestFor('firefox');
    expect(manifest.permissions).toEqual(['storage']);
    expect(manifest.web_accessible_resources).toEqual([
      { resources: MODULES, matches: ['https://huggingface.co/*'] },
    ]);
    expect(manifest.browser_specific_settings).toMatchObject({ gecko: { strict_min_version: '142.0' } });
  });

  it('both: Hugging Face and its CDN only; a GPUStack server only when the user sets it', () => {
    for (const browser of ['chrome', 'firefox']) {
      const manifest = manifestFor(browser);
      expect(manifest.host_permissions, browser).toEqual([
        'https://huggingface.co/*',
        'https://*.hf.co/*',
        'https://*.huggingface.co/*',
      ]);
      expect(manifest.optional_host_permissions, browser).toEqual(['http://*/*', 'https://*/*']);
    }
  });

  it('both: the toolbar button has the icon at 16 to 128 px (drawn at build from assets/icon.svg)', () => {
    for (const browser of ['chrome', 'firefox']) {
      expect(manifestFor(browser).action?.default_icon, browser).toEqual({
        16: 'icons/16.png',
        32: 'icons/32.png',
        48: 'icons/48.png',
        128: 'icons/128.png',
      });
    }
    expect(config.modules).toContain('@wxt-dev/auto-icons');
  });

  it('both: extension pages keep http:// as typed (no upgrade-insecure-requests), scripts only our own', () => {
    for (const browser of ['chrome', 'firefox']) {
      const policy = manifestFor(browser).content_security_policy?.extension_pages ?? '';
      expect(policy, browser).toContain("script-src 'self'");
      expect(policy, browser).not.toMatch(/upgrade-insecure-requests/);
    }
  });
});

describe('compileEagerly', () => {
  it('puts the compile hint on the first line of the files named, and leaves the others', () => {
    const chunk = (fileName: string) => ({ type: 'chunk', fileName, code: 'var x=1;' });
    const bundle = {
      'page-ui.js': chunk('page-ui.js'),
      'popup.js': chunk('popup.js'),
      'style.css': { type: 'asset', fileName: 'style.css', source: 'a{}' },
    } as Record<string, { code?: string; source?: string }>;
    const plugin = compileEagerly(['page-ui.js']);
    (plugin.generateBundle as (this: unknown, options: unknown, output: typeof bundle) => void).call(
      {},
      {},
      bundle,
    );
    const code = (file: string) => bundle[file]?.code;
    expect(code('page-ui.js')).toBe('//# allFunctionsCalledOnLoad\nvar x=1;');
    expect(code('popup.js')).toBe('var x=1;');
    expect(bundle['style.css']?.source).toBe('a{}');
  });
});
