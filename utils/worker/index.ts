// Builds the background worker's parts once and connects them to the browser's events.

import { browser } from 'wxt/browser';
import { loadSettings } from '../common/settings';
import { createCache } from './cache';
import { CheckService } from './check/check-service';
import { ProgressBoard } from './check/progress';
import { BuiltinEngine } from './engines/builtin';
import { createGpustackEngine, inventory as gpustackInventory, testConnection } from './engines/gpustack';
import { createMessageHandler, type WorkerServices } from './handler';
import { profileFromHardwareItems } from './hardware/huggingface';
import { resolveProfile } from './hardware/resolve';
import { loadKnownHardware, saveKnownHardware } from './hardware/store';
import { HubClient } from './huggingface/client';
import { listGgufModels } from './huggingface/gguf-files';
import { HF_BUCKETS } from './scheduler/buckets';
import { sessionBudgetStore } from './scheduler/budget-store';
import { Scheduler } from './scheduler/scheduler';

const sameServer = (a: string, b: string) => a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');

export function createWorker() {
  const scheduler = new Scheduler({ buckets: HF_BUCKETS, store: sessionBudgetStore() });
  const cache = createCache();
  const hub = new HubClient({
    scheduler,
    cache,
    token: async () => (await loadSettings()).hfToken || undefined,
  });
  // Read per check, so saved options and newly seen hardware apply at once.
  const context = async () => {
    const [settings, known] = await Promise.all([loadSettings(), loadKnownHardware()]);
    // A cluster inventory counts only for the server it came from.
    const gpustack =
      known.gpustackServer && sameServer(known.gpustackServer, settings.serverUrl) ? known.gpustack : null;
    return { settings, profile: resolveProfile(settings, { ...known, gpustack }) };
  };
  const checks = new CheckService({
    hub,
    cache,
    context,
    builtin: new BuiltinEngine({ hub, cache }),
    gpustack: createGpustackEngine({ scheduler }),
  });
  const services: WorkerServices = {
    async testConnection(request) {
      const settings = await loadSettings();
      const report = await testConnection(scheduler, request, settings);
      // The saved server's inventory is the hardware Auto mode measures against.
      if (report.canListWorkers && sameServer(request.serverUrl, settings.serverUrl)) {
        const profile = await gpustackInventory(scheduler, settings).catch(() => null);
        if (profile) await saveKnownHardware({ gpustack: profile, gpustackServer: settings.serverUrl });
      }
      return report;
    },
    clearCache: () => cache.clear(),
    search: (request, call) => hub.searchModels(request, call),
    modelFiles: async (repo, call) => listGgufModels(await hub.modelInfo(repo, 'main', call)),
    async status() {
      const { settings, profile } = await context();
      return {
        scheduler: scheduler.status(),
        engine: settings.engine,
        hardware: { source: profile.source, label: profile.label },
      };
    },
    async hardwareSeen(items) {
      const huggingface = profileFromHardwareItems(items);
      if (huggingface) await saveKnownHardware({ huggingface });
      return huggingface !== null;
    },
  };
  const handler = createMessageHandler({
    checks,
    progress: new ProgressBoard(scheduler),
    services,
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
  });

  browser.runtime.onMessage.addListener(handler.listener);
  browser.runtime.onConnect.addListener(handler.connect);
  return { scheduler, cache, hub, checks, handler };
}
