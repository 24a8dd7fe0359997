// A repo's GGUF models as people choose among them: one entry per model (split shards grouped
// under their first shard), with its quantization, total size, and the repo's vision projectors.

import type { RepoGgufFiles } from '../../common/protocol';
import { classifyGgufPath, modelFilesToCheck, shardPaths } from '../../lib/gguf-names';
import type { ModelInfo } from './client';

export function listGgufModels(info: ModelInfo): RepoGgufFiles {
  const sizes = new Map(info.files.map((f) => [f.path, f.size]));
  const paths = info.files.map((f) => f.path);
  const models = modelFilesToCheck(paths).map((file) => {
    const parsed = classifyGgufPath(file);
    const all = parsed.kind === 'shard' ? shardPaths(file) : [file];
    return {
      file,
      label: parsed.quant ?? parsed.baseName,
      sizeBytes: all.reduce((sum, p) => sum + Math.max(0, sizes.get(p) ?? 0), 0),
      shards: all.length,
    };
  });
  return {
    repo: info.id,
    commit: info.commit,
    models,
    projectors: paths.filter((p) => classifyGgufPath(p).kind === 'mmproj'),
  };
}
