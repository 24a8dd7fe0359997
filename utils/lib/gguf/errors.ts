/** Why a GGUF header could not be read. */
export type GgufErrorReason =
  /** The file does not start with "GGUF" (an HTML error page, a Git LFS pointer, another format). */
  | 'bad-magic'
  /** A GGUF version other than 1, 2 or 3. */
  | 'unsupported-version'
  /** The file ends inside its header. */
  | 'truncated'
  /** The header needs more bytes than the reader is allowed to fetch (64 MiB by default). */
  | 'too-large'
  /** A count (tensors, metadata entries, array items) no real file could have. */
  | 'bad-count'
  /** A string whose claimed length no real file could have. */
  | 'bad-string'
  /** A metadata value type that GGUF does not define. */
  | 'unknown-type'
  /** A value that breaks the format's rules (alignment, arrays nested too deep). */
  | 'bad-value'
  /** A tensor description with too many dimensions or an absurd dimension. */
  | 'bad-tensor'
  /** The shards of a split model do not agree with each other or with their file names. */
  | 'bad-split'
  /** The server ignored the requested byte range (or answered another one). */
  | 'range-ignored'
  /** The server's size claims contradict each other or the bytes it sent. */
  | 'size-mismatch'
  /** The byte reader itself failed (network, rate limit, HTTP error): see `cause`. */
  | 'read-failed'
  /** The caller's signal aborted the read. */
  | 'aborted'
  /** A bug in this module: an unexpected exception while parsing (see `cause`). */
  | 'internal';

/** The only error the GGUF header reader throws: a reason code and an English sentence. */
export class GgufError extends Error {
  readonly reason: GgufErrorReason;
  /** Asking again later may succeed (only for read failures that say so, and aborts). */
  readonly retryable: boolean;

  constructor(
    reason: GgufErrorReason,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GgufError';
    this.reason = reason;
    this.retryable = options.retryable ?? false;
  }
}

export function isGgufError(error: unknown, reason?: GgufErrorReason): error is GgufError {
  return error instanceof GgufError && (reason === undefined || error.reason === reason);
}
