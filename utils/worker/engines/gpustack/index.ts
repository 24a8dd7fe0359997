// What the background worker needs from utils/gpustack: the options page's connection test, the
// engine for checks, and the cluster's inventory.

import { browser } from 'wxt/browser';
import type { ConnectionReport, TestConnectionRequest } from '../../../common/protocol';
import { originPattern, parseServerUrl, sameOrigin } from '../../../common/server-url';
import { type Settings, serverKey } from '../../../common/settings';
import type { Scheduler } from '../../scheduler/scheduler';
import { type GpustackCall, GpustackClient } from './client';
import { emptyReport, runConnectionTest } from './connection';
import { badUrl, noHostPermission } from './errors';
import { type GenerationStore, sessionGenerationStore } from './generation';

export { originPattern, parseServerUrl } from '../../../common/server-url';
export type { GpustackCall, GpustackClientOptions } from './client';
export { GpustackClient } from './client';
export type { GpustackEngine, GpustackEngineOptions } from './engine';
export { createGpustackEngine } from './engine';
export type { GpustackVerdict } from './evaluation';
export type { Generation, GenerationInfo, GenerationStore } from './generation';
export { memoryGenerations, sessionGenerationStore } from './generation';
export type { ModelSpec, SpecInput, SpecParams } from './spec';
export { buildModelSpec, specParamsFrom } from './spec';

export interface TestConnectionDeps {
  generations?: GenerationStore;
  /** Whether the extension may reach `origin`; default asks browser.permissions. */
  hasPermission?: (origin: string) => Promise<boolean>;
}

async function permitted(origin: string): Promise<boolean> {
  try {
    return await browser.permissions.contains({ origins: [originPattern(origin)] });
  } catch {
    // No permissions API here (tests): let the request say what happens.
    return true;
  }
}

/**
 * Answers the options page's "Test connection". The saved key is used only when the URL names the
 * saved server's origin: a key never goes to a server it was not saved for.
 */
export async function testConnection(
  scheduler: Scheduler,
  request: TestConnectionRequest,
  settings: Settings,
  deps: TestConnectionDeps = {},
): Promise<ConnectionReport> {
  const address = parseServerUrl(request.serverUrl);
  if (!address) return emptyReport(badUrl(request.serverUrl).message);
  if (!(await (deps.hasPermission ?? permitted)(address.origin))) {
    return emptyReport(noHostPermission(address.origin).message);
  }
  const apiKey =
    request.apiKey ?? (sameOrigin(request.serverUrl, settings.serverUrl) ? serverKey(settings) : '');
  const client = new GpustackClient({
    scheduler,
    serverUrl: request.serverUrl,
    apiKey,
    generations: deps.generations ?? sessionGenerationStore(),
  });
  return runConnectionTest(client);
}

/** The saved server's workers as a hardware profile (of the saved cluster on 2.x). */
export async function inventory(
  scheduler: Scheduler,
  settings: Settings,
  call: GpustackCall & { generations?: GenerationStore } = {},
) {
  const { generations, ...rest } = call;
  const client = new GpustackClient({
    scheduler,
    serverUrl: settings.serverUrl,
    apiKey: serverKey(settings),
    generations: generations ?? sessionGenerationStore(),
  });
  return client.inventory({ ...rest, clusterId: settings.clusterId });
}
