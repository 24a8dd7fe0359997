// The built-in llama.cpp memory estimate: a TypeScript reproduction of gguf-parser-go v0.25.0's
// EstimateLLaMACppRun + Summarize, as a GPUStack server runs it.
//
//   const summary = summarizeGguf([{ ...await gguf(url), fileSize }]);   // cacheable
//   const estimate = estimateLlamaCpp(summary, { ctxSize: 8192 });      // GPUStack defaults
//   const { ram, vrams } = summarize(estimate);                         // bytes

export { EstimateError, type EstimateErrorCode } from './errors';
export {
  type CacheTypeName,
  cacheTypeFromName,
  GgmlType,
  type GgmlTypeTrait,
  ggmlTypeName,
  ggmlTypeTrait,
  isKnownGgmlType,
  rowSize,
  tensorBytes,
} from './ggml-types';
export {
  computationSum,
  type DeviceEstimate,
  type EstimateOptions,
  estimateLlamaCpp,
  kvCacheSum,
  type LlamaCppEstimate,
  weightSum,
} from './llamacpp';
export {
  allTensors,
  type GgufSummary,
  headerSizeOf,
  type ParsedGgufFile,
  SUMMARY_SCHEMA,
  type SummaryFile,
  type SummaryTensor,
  type SummaryValue,
  summarizeGguf,
} from './model-summary';
export {
  type DeviceBreakdown,
  type EstimateSummary,
  type MemoryFigure,
  type SummarizeOptions,
  summarize,
} from './summarize';
