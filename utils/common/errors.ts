import { t } from './i18n';
import type { ErrorCode, ReplyError } from './protocol';

/** An error with a sentence meant for the user and whether trying again later may help. */
export class CheckError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'CheckError';
  }
}

/** Turns anything thrown into the reply shape, keeping CheckError's own sentence. */
export function toReplyError(error: unknown): ReplyError {
  if (error instanceof CheckError) {
    return { code: error.code, message: error.message, retryable: error.retryable };
  }
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { code: 'cancelled', message: t('errorCancelled'), retryable: true };
  }
  return { code: 'internal', message: t('errorInternal'), retryable: true };
}
