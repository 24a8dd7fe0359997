// Self-signed certificates for the local impersonators, made with the `openssl` CLI (Node has no API
// to create certificates), once per process for each set of names. Chromium runs with
// --ignore-certificate-errors, so any certificate would do; the right subjectAltNames keep the
// servers honest for clients that do check names.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  /** PEM private key (P-256: fast to generate, accepted by Chromium and Node). */
  key: string;
  /** PEM self-signed certificate whose subjectAltName lists the requested names. */
  cert: string;
}

const cache = new Map<string, CertPair>();

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const DNS_NAME = /^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

/**
 * A self-signed certificate and key for `names` (DNS names, `*.wildcards` or IPv4 addresses; the
 * first one is also the CN). Generated once per process for each distinct set of names.
 */
export function selfSignedCert(names: readonly string[]): CertPair {
  if (names.length === 0) throw new Error('selfSignedCert needs at least one name');
  for (const name of names) {
    // The names end up in openssl arguments: refuse anything that is not a plain host name.
    if (!IPV4.test(name) && !DNS_NAME.test(name)) throw new Error(`Not a host name: ${JSON.stringify(name)}`);
  }
  const cacheKey = [...new Set(names)].sort().join(',');
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  // openssl writes files: give it a private temp dir, read them back, and remove it right away (the
  // pair lives on in memory; nothing is left behind even if the test process is killed later).
  const dir = mkdtempSync(join(tmpdir(), 'e2e-certs-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const altNames = names.map((name) => (IPV4.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  let pair: CertPair;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${altNames}`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    pair = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `openssl could not create a certificate for ${cacheKey}${stderr ? `: ${stderr}` : ''}. ` +
        'Is openssl installed? (node tests/e2e/ensure-chromium.mjs checks it.)',
      { cause: error },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  cache.set(cacheKey, pair);
  return pair;
}
