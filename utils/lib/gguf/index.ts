// GGUF headers read over byte ranges, parsed into @huggingface/gguf's `gguf()` shape.
//
//   const header = await readGgufHeader(read, { fileSize });       // read: a RangeReader
//   const shards = await readGgufModel((p) => readerFor(p), paths);
//   summarizeGguf(shards.map((h, i) => ({ ...h, fileSize: h.fileSize ?? sizes[i] })));

export { GgufError, type GgufErrorReason, isGgufError } from './errors';
export {
  DEFAULT_KEEP_ARRAYS_UP_TO,
  GGUF_LIMITS,
  GgufType,
  type GgufVersion,
  type ParsedGgufHeader,
} from './parse-header';
export {
  DEFAULT_FIRST_CHUNK,
  DEFAULT_MAX_BYTES,
  type GgufHeader,
  type RangeRead,
  type RangeReader,
  type ReadHeaderOptions,
  readGgufHeader,
} from './read-header';
export { DEFAULT_SHARD_FIRST_CHUNK, type ReadModelOptions, readGgufModel } from './split';
