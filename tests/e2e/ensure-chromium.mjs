#!/usr/bin/env node
// Makes sure the e2e tests' system tools are present: Debian's Chromium (/usr/bin/chromium; tests never
// let Playwright download a browser), its UI translations (chromium-l10n: without them Chromium
// can only run in en-US, whatever LANGUAGE says) and the openssl CLI (certificates of the local
// impersonators).
// Installs missing ones with apt-get when running as root on Debian; otherwise says how, and fails.

import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Debian's layout; a Chromium from elsewhere carries its own locales.
const DEBIAN_LOCALES = '/usr/lib/chromium/locales';

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missing = [];
if (!existsSync(CHROMIUM)) missing.push({ what: `Chromium (${CHROMIUM})`, pkg: 'chromium' });
if (CHROMIUM === '/usr/bin/chromium' && !existsSync(join(DEBIAN_LOCALES, 'zh-CN.pak'))) {
  missing.push({ what: 'Chromium translations (zh-CN UI)', pkg: 'chromium-l10n' });
}
if (!onPath('openssl')) missing.push({ what: 'openssl', pkg: 'openssl' });

if (missing.length === 0) {
  const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  console.log(`e2e prerequisites present: ${version || CHROMIUM} (with translations), openssl`);
  process.exit(0);
}

const packages = missing.map((item) => item.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = existsSync('/etc/debian_version') && onPath('apt-get');

if (!isRoot || !isDebian) {
  console.error(`Missing for the e2e tests: ${missing.map((item) => item.what).join(', ')}.`);
  console.error(
    isDebian
      ? `Install with: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`
      : `Install ${packages.join(' and ')} with your system's package manager` +
          (missing.some((item) => item.pkg === 'chromium')
            ? ', and point CHROMIUM_PATH at the Chromium binary if it is not /usr/bin/chromium.'
            : '.'),
  );
  process.exit(1);
}

console.log(`Installing ${packages.join(', ')} with apt-get (Chromium: about 45 s, 500 MB)...`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
} catch (error) {
  console.error(
    `apt-get failed (${error.message}). Install by hand: apt-get install -y ${packages.join(' ')}`,
  );
  process.exit(1);
}
if (!existsSync(CHROMIUM) && packages.includes('chromium')) {
  console.error(`chromium installed but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
console.log('e2e prerequisites installed.');
