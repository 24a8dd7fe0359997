import type { ReplyError } from './protocol';
import type { CheckResult } from './result';

/** What one control shows; `state` is mirrored on the host as data-state. */
export type ControlState =
  | { state: 'idle' }
  | { state: 'queued'; position?: number }
  | { state: 'waiting'; until: number }
  | { state: 'checking' }
  | { state: 'done'; result: CheckResult }
  | { state: 'error'; error: ReplyError };
