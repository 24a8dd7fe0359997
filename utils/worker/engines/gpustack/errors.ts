// One sentence per way talking to a GPUStack server can fail, each naming what happened and what to
// do. They travel as CheckError (code + retryable) so checks and the options page show the same words.

import { CheckError } from '../../../common/errors';
import { t } from '../../../common/i18n';
import type { FetchedResponse } from '../../scheduler/scheduler';
import { isWebPage, serverMessage } from './http';

/** GPUStack 2.2's 403 texts (api/auth.py:467-474, api/tenant.py:100-107,345-352). */
const SCOPE_MESSAGE = /does not have permission to access management/i;
const ORG_ROLE_MESSAGE = /Insufficient organization role/i;
const NOT_MEMBER_MESSAGE = /Not a member of organization/i;
/** 2.2's answer to an evaluation of a cluster that is gone or not the key's (routes/model_evaluations.py:35). */
const CLUSTER_NOT_FOUND = /^Cluster not found$/;

export function badUrl(input: string): CheckError {
  return new CheckError('bad-message', t('gpustackBadUrl', input.slice(0, 200)));
}

export function noHostPermission(origin: string): CheckError {
  return new CheckError('unauthorized', t('gpustackNoHostPermission', origin));
}

export function keyFormat(): CheckError {
  return new CheckError('unauthorized', t('gpustackKeyFormat'));
}

export function noKey(): CheckError {
  return new CheckError('unauthorized', t('gpustackNoKey'));
}

/**
 * A request that never got an answer. From an extension worker an untrusted certificate and a
 * refused connection are the same TypeError, so an https server gets both possible causes.
 */
export function unreachable(origin: string): CheckError {
  const https = origin.startsWith('https:');
  return new CheckError(
    'network',
    t(https ? 'gpustackUnreachableHttps' : 'gpustackUnreachableHttp', origin),
    true,
  );
}

/** Turns what the scheduler threw into our sentence; anything else passes through. */
export function fromThrown(error: unknown, origin: string): unknown {
  if (error instanceof CheckError) {
    if (error.code === 'network') return unreachable(origin);
    if (error.code === 'rate-limited')
      return new CheckError('rate-limited', t('gpustackRateLimited', origin), true);
    return error;
  }
  // A fetch that threw outside the scheduler's retries (should not happen, but never show a TypeError).
  if (error instanceof TypeError) return unreachable(origin);
  return error;
}

/** The sentence for a response that is not the JSON answer asked for. */
export function fromResponse(response: FetchedResponse, origin: string): CheckError {
  if (isWebPage(response)) return new CheckError('upstream', t('gpustackLoginPage', origin));
  const said = serverMessage(response);
  switch (response.status) {
    case 401:
      return new CheckError('unauthorized', t('gpustackBadKey', origin));
    case 403:
      if (said && SCOPE_MESSAGE.test(said)) return new CheckError('unauthorized', t('gpustackKeyScope'));
      if (said && ORG_ROLE_MESSAGE.test(said)) return new CheckError('unauthorized', t('gpustackOrgRole'));
      if (said && NOT_MEMBER_MESSAGE.test(said)) {
        return new CheckError('unauthorized', t('gpustackNotMember', said));
      }
      return new CheckError('unauthorized', t('gpustackNotAdmin'));
    case 404:
      return new CheckError('upstream', t('gpustackNotFound', origin));
    case 429:
      return new CheckError('rate-limited', t('gpustackRateLimited', origin), true);
  }
  if (response.status >= 500) {
    return new CheckError('upstream', t('gpustackServerError', origin, String(response.status)), true);
  }
  return new CheckError(
    'upstream',
    t('gpustackUnexpected', origin, String(response.status), said ?? response.status.toString()),
  );
}

/** 200 with a body we cannot read as the API's answer. */
export function notApi(response: FetchedResponse, origin: string): CheckError {
  if (isWebPage(response)) return new CheckError('upstream', t('gpustackLoginPage', origin));
  return new CheckError('upstream', t('gpustackNotGpustack', origin));
}

/** 404 "Cluster not found" (2.2): the saved cluster, not the server's API. */
export function isClusterNotFound(response: FetchedResponse): boolean {
  return response.status === 404 && CLUSTER_NOT_FOUND.test(serverMessage(response) ?? '');
}

/** The server could not evaluate (Hugging Face, the file, gguf-parser): asking again may work. */
export function evaluationFailed(message: string): CheckError {
  // An empty text is the server's Hugging Face access check timing out (asyncio.TimeoutError).
  const sentence = message.trim()
    ? t('gpustackEvaluationFailed', message.trim().slice(0, 500))
    : t('gpustackEvaluationTimedOut');
  return new CheckError('upstream', sentence, true);
}

/** `compatible: false` in words we do not know: the server's, shown as such, never as "won't fit". */
export function unknownAnswer(text: string): CheckError {
  return new CheckError('upstream', t('gpustackUnknownAnswer', text.slice(0, 500) || '?'), true);
}

/** The backend filter dropped every worker: a setting to change, not a verdict on the hardware. */
export function backendRefused(text: string): CheckError {
  return new CheckError('unsupported', t('gpustackBackendRefused', text.slice(0, 500)));
}

export function backendGone(backend: string, origin: string): CheckError {
  return new CheckError('not-found', t('gpustackBackendGone', backend.slice(0, 100), origin));
}

export function clusterGone(clusterId: number, origin: string): CheckError {
  return new CheckError('not-found', t('gpustackClusterGone', String(clusterId), origin));
}

/** 2.x: only a lower-case ".gguf" is GGUF to the server (schemas/models.py is_gguf_model). */
export function upperCaseGguf(file: string): CheckError {
  return new CheckError('unsupported', t('gpustackUpperCaseGguf', file.slice(0, 300)));
}

/** A major version above 2 that does not answer on /v2. */
export function newerVersion(version: string): CheckError {
  return new CheckError('unsupported', t('gpustackNewerVersion', version.slice(0, 40)));
}

export function resultCountMismatch(got: number, sent: number): CheckError {
  return new CheckError('upstream', t('gpustackResultCount', String(got), String(sent)), true);
}
