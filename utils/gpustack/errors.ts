// One sentence per way talking to a GPUStack server can fail, each naming what happened and what to
// do. They travel as CheckError (code + retryable) so checks and the options page show the same words.

import { CheckError } from '../errors';
import { t } from '../i18n';
import type { FetchedResponse } from '../scheduler/scheduler';
import { isWebPage, serverMessage } from './http';

/** GPUStack 2.2 says this when a key's scope leaves out management. */
const SCOPE_MESSAGE = /does not have permission to access management/i;

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
      return new CheckError(
        'unauthorized',
        said && SCOPE_MESSAGE.test(said) ? t('gpustackKeyScope') : t('gpustackNotAdmin'),
      );
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

/** `error: true` in a result: the evaluation itself failed on the server. */
export function evaluationFailed(message: string | undefined): CheckError {
  return new CheckError('upstream', t('gpustackEvaluationFailed', message?.slice(0, 500) || '?'), true);
}

export function resultCountMismatch(got: number, sent: number): CheckError {
  return new CheckError('upstream', t('gpustackResultCount', String(got), String(sent)), true);
}
