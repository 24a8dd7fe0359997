/** Why an estimate could not be made. */
export type EstimateErrorCode =
  /** A tensor uses a ggml type the table does not know (gguf-parser-go panics on these). */
  | 'unknown-tensor-type'
  /** The parsed GGUF header misses something the estimate needs, or is inconsistent. */
  | 'invalid-input'
  /** An option is out of range (e.g. ubatch > batch, main GPU outside the tensor split). */
  | 'invalid-option'
  /** The file is not something the llama.cpp estimate handles (diffusion model, adapter, ...). */
  | 'unsupported-model';

/** The only error the estimate modules throw on purpose. */
export class EstimateError extends Error {
  readonly code: EstimateErrorCode;

  constructor(code: EstimateErrorCode, message: string) {
    super(message);
    this.name = 'EstimateError';
    this.code = code;
  }
}
