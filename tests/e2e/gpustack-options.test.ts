// The options page in Chromium against two fake GPUStack servers, a 0.6 one and a 2.x one, under fixed
// names (http://gpustack-v1.test, http://gpustack-v2.test) whatever their ports. The build must
// pre-grant them, since headless Chromium cannot answer a permission prompt:
//   EXTRA_HOST_PERMISSIONS=http://gpustack-v1.test,http://gpustack-v2.test npx wxt build
// Both servers hold a stale gpustack_session cookie in the browser: were it ever sent, GPUStack would
// ignore the key and answer 401, and the log below would show it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import {
  GPUSTACK_KEYS,
  type GpustackServer,
  type LoggedGpustackRequest,
  startGpustackServer,
} from './support/gpustack-server';
import { hostResolverRules } from './support/resolver-rules';

const V1_HOST = 'gpustack-v1.test';
const V2_HOST = 'gpustack-v2.test';
const HOSTILE = '<img src=x onerror=alert(1)>';

let v1: GpustackServer;
let v2: GpustackServer;
let ext: ExtensionSession;

beforeAll(async () => {
  v1 = await startGpustackServer({ host: V1_HOST, version: 'v0.6.1' });
  v2 = await startGpustackServer({
    host: V2_HOST,
    version: 'v2.0.0',
    clusters: [
      { id: 1, name: 'default' },
      { id: 2, name: HOSTILE },
    ],
  });
  ext = await launchExtension({ hostResolverRules: hostResolverRules({ ...v1.hostMap, ...v2.hostMap }) });
  const manifest = JSON.parse(readFileSync(join(ext.extensionDir, 'manifest.json'), 'utf8')) as {
    host_permissions?: string[];
  };
  for (const origin of [v1.origin, v2.origin]) {
    if (!manifest.host_permissions?.includes(`${origin}/*`)) {
      throw new Error(
        `The build does not pre-grant ${origin}: EXTRA_HOST_PERMISSIONS=http://${V1_HOST},http://${V2_HOST} npx wxt build`,
      );
    }
  }
  await ext.context.addCookies(
    [V1_HOST, V2_HOST].map((domain) => ({
      name: 'gpustack_session',
      value: 'stale-session',
      domain,
      path: '/',
    })),
  );
});

afterAll(async () => {
  await ext?.close();
  await v1?.close();
  await v2?.close();
});

async function openOptions(): Promise<Page> {
  const page = await ext.openExtensionPage('options.html');
  await page.getByLabel('GPUStack server URL', { exact: true }).waitFor();
  return page;
}

async function testConnection(page: Page, serverUrl: string, apiKey?: string) {
  await page.getByLabel('GPUStack server URL', { exact: true }).fill(serverUrl);
  if (apiKey !== undefined) await page.getByLabel('API key', { exact: true }).fill(apiKey);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const message = page.getByTestId('connection-message');
  await message.waitFor();
  return { message: (await message.textContent()) ?? '', report: page.getByTestId('connection-report') };
}

async function storedSettings(): Promise<Record<string, unknown>> {
  const worker = await ext.worker();
  return worker.evaluate(
    async () =>
      ((await chrome.storage.local.get('settings.v1'))['settings.v1'] ?? {}) as Record<string, unknown>,
  );
}

const apiRequests = (server: GpustackServer): LoggedGpustackRequest[] =>
  server.requests.filter((r) => r.pathname !== '/version');

describe('GPUStack options in Chromium', () => {
  it('labels every field, and the form works from the keyboard', async () => {
    const page = await openOptions();
    for (const label of [
      'GPUStack server URL',
      'API key',
      'Hugging Face token',
      'Engine',
      'Context size',
      'Flash attention',
      'KV cache type',
      'Parallel sequences',
      'Hardware',
    ]) {
      await expect.poll(() => page.getByLabel(label, { exact: true }).count(), { message: label }).toBe(1);
    }
    for (const name of ['Test connection', 'Save', 'Clear cached results']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    const engine = page.getByLabel('Engine', { exact: true });
    expect(await engine.locator('option').allTextContents()).toEqual(['Auto', 'GPUStack server', 'Built-in']);
    // Manual hardware: its fields appear, chosen with the keyboard alone.
    await page.getByLabel('Hardware', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    for (const label of ['GPU memory (GiB)', 'GPU count', 'System RAM (GiB)', 'Unified memory']) {
      await expect.poll(() => page.getByLabel(label, { exact: true }).count(), { message: label }).toBe(1);
    }
    await page.getByLabel('GPU count', { exact: true }).fill('2.5');
    await page.getByLabel('GPU count', { exact: true }).press('Enter');
    await expect
      .poll(() => page.getByLabel('GPU count', { exact: true }).getAttribute('aria-invalid'))
      .toBe('true');
    await page.getByLabel('GPU count', { exact: true }).fill('2');
    await page.getByLabel('System RAM (GiB)', { exact: true }).fill('128');
    await page.getByLabel('Unified memory', { exact: true }).check();
    await page.getByLabel('GPU count', { exact: true }).press('Enter');
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect(await storedSettings()).toMatchObject({
      hardwareMode: 'manual',
      manualHardware: { gpuCount: 2, systemRamGiB: 128, unifiedMemory: true },
    });
    await page.close();
  });

  it('0.6 server: Test connection reports v0.6.1, API /v1 and both rights', async () => {
    const page = await openOptions();
    const { message, report } = await testConnection(page, v1.origin, GPUSTACK_KEYS.admin);
    expect(message).toBe('Connected to GPUStack v0.6.1: this key may evaluate models and list workers.');
    const text = await report.textContent();
    expect(text).toContain('v0.6.1 (API /v1)');
    expect(text).toContain('May evaluate modelsYes');
    expect(text).toContain('May list workersYes');
    // 0.x has no clusters or backends to pick.
    expect(await page.getByLabel('Cluster', { exact: true }).count()).toBe(0);
    await page.close();
  });

  it('2.x server: generation v2, clusters and the GGUF backend to pick, server strings as text', async () => {
    const page = await openOptions();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const { message, report } = await testConnection(page, v2.origin, GPUSTACK_KEYS.admin);
    expect(message).toBe('Connected to GPUStack v2.0.0: this key may evaluate models and list workers.');
    expect(await report.textContent()).toContain('v2.0.0 (API /v2)');
    const cluster = page.getByLabel('Cluster', { exact: true });
    expect(await cluster.locator('option').allTextContents()).toEqual(['All clusters', 'default', HOSTILE]);
    const backend = page.getByLabel('GGUF backend', { exact: true });
    expect(await backend.inputValue()).toBe('llama-cpp-custom');
    await cluster.selectOption({ label: 'default' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect(await storedSettings()).toMatchObject({
      serverUrl: v2.origin,
      clusterId: 1,
      backend: 'llama-cpp-custom',
    });
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('a key of a user who is not an admin gets the 403 sentence', async () => {
    const page = await openOptions();
    const { message, report } = await testConnection(page, v1.origin, GPUSTACK_KEYS.user);
    expect(message).toBe(
      'The API key is valid but may not evaluate models or list workers (403): use a key of an administrator (GPUStack 2.2 and later: of an organization owner).',
    );
    expect(await report.textContent()).toContain('May evaluate modelsNo');
    await page.close();
  });

  it('a wrong key gets the 401 sentence', async () => {
    const page = await openOptions();
    expect((await testConnection(page, v1.origin, 'gpustack_wrong_key')).message).toBe(
      `${v1.origin} rejected the API key (401): copy a valid key from GPUStack's API Keys page and paste it here.`,
    );
    await page.close();
  });

  it('saves the key, never shows it back (only its mask), and tests with the saved key', async () => {
    const page = await openOptions();
    await page.getByLabel('GPUStack server URL', { exact: true }).fill(v1.origin);
    await page.getByLabel('API key', { exact: true }).fill(GPUSTACK_KEYS.admin);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect(await storedSettings()).toMatchObject({ serverUrl: v1.origin, apiKey: GPUSTACK_KEYS.admin });

    await page.reload();
    const key = page.getByLabel('API key', { exact: true });
    await key.waitFor();
    expect(await key.inputValue()).toBe('');
    expect(await key.getAttribute('placeholder')).toBe('gpus…og');
    const html = await page.content();
    expect(html).not.toContain(GPUSTACK_KEYS.admin);
    expect(html).not.toContain(GPUSTACK_KEYS.admin.slice(4, -2));
    // An empty field on Save keeps the stored key.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect((await storedSettings()).apiKey).toBe(GPUSTACK_KEYS.admin);

    const { message } = await testConnection(page, v1.origin);
    expect(message).toMatch(/^Connected to GPUStack v0\.6\.1/);
    expect(await page.content()).not.toContain(GPUSTACK_KEYS.admin);

    // "Remove" and Save clear it.
    await page.getByRole('button', { name: 'Remove API key' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await storedSettings()).apiKey).toBe('');
    await page.reload();
    await page.getByLabel('API key', { exact: true }).waitFor();
    expect(await page.getByLabel('API key', { exact: true }).getAttribute('placeholder')).toBe('Not set');
    expect(await page.getByRole('button', { name: 'Remove API key' }).count()).toBe(0);
    await page.close();
  });

  it('the saved key never follows a changed address: the new server gets none until one is typed for it', async () => {
    const page = await openOptions();
    const url = page.getByLabel('GPUStack server URL', { exact: true });
    await url.fill(v1.origin);
    await page.getByLabel('API key', { exact: true }).fill(GPUSTACK_KEYS.admin);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect(await page.getByTestId('key-left-behind').count()).toBe(0);

    await url.fill(v2.origin);
    expect(await page.getByTestId('key-left-behind').textContent()).toBe(
      `The saved API key belongs to ${v1.origin}. It is never sent to ${v2.origin}: enter this server's key, or Save will remove it.`,
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
    expect(await storedSettings()).toMatchObject({ serverUrl: v2.origin, apiKey: '', apiKeyOrigin: '' });

    v2.clearLog();
    const { message } = await testConnection(page, v2.origin);
    expect(message).toMatch(/add an API key/);
    expect(v2.requests.length).toBeGreaterThan(0);
    const sentKey = (r: LoggedGpustackRequest) => r.headers.authorization ?? r.headers['x-api-key'];
    expect(v2.requests.filter(sentKey)).toEqual([]);

    // Typed for this server, it is this server's.
    await page.getByLabel('API key', { exact: true }).fill(GPUSTACK_KEYS.admin);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await storedSettings()).apiKeyOrigin).toBe(v2.origin);
    await testConnection(page, v2.origin);
    expect(v2.requests.filter(sentKey).map(sentKey)).toContain(`Bearer ${GPUSTACK_KEYS.admin}`);
    await page.close();
  });

  it('warns, visibly, that an http:// address sends the key unencrypted', async () => {
    const page = await openOptions();
    const url = page.getByLabel('GPUStack server URL', { exact: true });
    await url.fill('http://gpustack.lan:8080');
    expect(await page.getByTestId('http-warning').textContent()).toBe(
      'This address uses plain http: the API key and the answers cross the network unencrypted. Use an https address if the server has one.',
    );
    expect(await page.getByTestId('http-warning').isVisible()).toBe(true);
    await url.fill('https://gpustack.example.com');
    expect(await page.getByTestId('http-warning').count()).toBe(0);
    await page.close();
  });

  it('clears cached results', async () => {
    const page = await openOptions();
    await page.getByRole('button', { name: 'Clear cached results' }).click();
    await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Cached results cleared.');
    await page.close();
  });

  it('the servers saw the key only as a Bearer header, and never a cookie', async () => {
    const all = [...v1.requests, ...v2.requests];
    expect(apiRequests(v1).length).toBeGreaterThan(0);
    expect(apiRequests(v2).length).toBeGreaterThan(0);
    expect(all.filter((r) => r.headers.cookie !== undefined)).toEqual([]);
    for (const request of [...apiRequests(v1), ...apiRequests(v2)]) {
      expect(request.headers.authorization, request.path).toMatch(/^Bearer gpustack_/);
    }
    // /version needs no key, and gets none.
    expect(all.filter((r) => r.pathname === '/version' && r.headers.authorization)).toEqual([]);
    // No 401 caused by a cookie: every 401 is the wrong key's.
    for (const request of all.filter((r) => r.status === 401)) {
      expect(request.headers.authorization).toBe('Bearer gpustack_wrong_key');
    }
    // Control: the browser does hold the cookie, and a request that asked for it would have sent it.
    const worker = await ext.worker();
    await worker.evaluate(async (origin) => {
      await fetch(`${origin}/healthz`, { credentials: 'include' });
    }, v1.origin);
    expect(v1.requests.at(-1)?.headers.cookie).toBe('gpustack_session=stale-session');
  });
});

describe('GPUStack options in Chinese', () => {
  it('labels fields and buttons in Simplified Chinese', async () => {
    const zh = await launchExtension({
      hostResolverRules: hostResolverRules({ ...v1.hostMap, ...v2.hostMap }),
      locale: 'zh-CN',
    });
    try {
      const page = await zh.openExtensionPage('options.html');
      await page.getByLabel('GPUStack 服务器地址', { exact: true }).waitFor();
      for (const label of ['API 密钥', 'Hugging Face 令牌', '引擎', '上下文大小', 'KV 缓存类型', '硬件']) {
        expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
      }
      for (const name of ['测试连接', '保存', '清除缓存的结果']) {
        expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
      }
    } finally {
      await zh.close();
    }
  });
});
