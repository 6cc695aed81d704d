import { existsSync, readFileSync } from 'node:fs';
import {
  MODEL_PRESETS,
  mapOfficialCheckpoint,
  readSafetensors,
  readTorchCheckpoint,
  VisionMamba,
  type VisionMambaConfig,
} from '@mamba-cl/ssm-core';
import { CliError } from '../cli/cli_error.js';

/**
 * Resolves `--model`: a preset name of `@mamba-cl/ssm-core` (`MODEL_PRESETS`), or the path of a JSON
 * file holding a full `VisionMambaConfig` (or `{ "preset": name, ...overrides }`).
 *
 * @param model - the flag value
 * @param overrides - fields forced by the benchmark (e.g. `inChans: 3` for RGB data)
 * @returns the config
 * @throws {@link CliError} naming the known presets or the bad file
 * @category Runs
 */
export function resolveModelConfig(
  model: string,
  overrides: Partial<VisionMambaConfig> = {},
): VisionMambaConfig {
  let base: VisionMambaConfig;
  if (model.endsWith('.json')) {
    if (!existsSync(model)) throw new CliError(`--model ${model}: file not found`);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(model, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`--model ${model}: not valid JSON (${(err as Error).message})`);
    }
    const cfg = (raw.config ?? raw) as Record<string, unknown>;
    const preset = typeof cfg.preset === 'string' ? cfg.preset : undefined;
    if (preset !== undefined && !Object.hasOwn(MODEL_PRESETS, preset)) {
      throw new CliError(
        `--model ${model}: unknown preset "${preset}"`,
        `known: ${Object.keys(MODEL_PRESETS).join(', ')}`,
      );
    }
    const { preset: _p, ...rest } = cfg;
    base = {
      ...(preset ? MODEL_PRESETS[preset as keyof typeof MODEL_PRESETS] : {}),
      ...rest,
    } as VisionMambaConfig;
    const required: (keyof VisionMambaConfig)[] = [
      'imgSize',
      'patchSize',
      'inChans',
      'dModel',
      'depth',
      'dInner',
      'dState',
      'dtRank',
    ];
    const missing = required.filter((k) => typeof base[k] !== 'number');
    if (missing.length) throw new CliError(`--model ${model}: missing numeric fields ${missing.join(', ')}`);
  } else if (Object.hasOwn(MODEL_PRESETS, model)) {
    base = MODEL_PRESETS[model as keyof typeof MODEL_PRESETS];
  } else {
    throw new CliError(
      `--model ${model}: unknown model`,
      `known presets: ${Object.keys(MODEL_PRESETS).join(', ')}; or pass a .json file with a VisionMambaConfig`,
    );
  }
  return { ...base, ...overrides };
}

/**
 * Reads a checkpoint file into backbone tensors under the model's names.
 *
 * **Details**
 * `.safetensors` files are read as they are (keys already named like the model, fused or split
 * x_proj); anything else is read as a PyTorch zip checkpoint (`torch.save`), its `model` entry if it
 * has one, and mapped with `mapOfficialCheckpoint` (x_proj split, the 21K heads dropped).
 *
 * @param path - checkpoint path
 * @param config - the model config (for the x_proj split and the shape checks)
 * @returns tensors to load and what did not fit
 * @category Runs
 */
export function readCheckpointFor(
  path: string,
  config: VisionMambaConfig,
): {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  missing: string[];
  unexpected: string[];
} {
  const bytes = new Uint8Array(readFileSync(path));
  if (path.endsWith('.safetensors')) {
    const { tensors } = readSafetensors(bytes, path);
    return mapOfficialCheckpoint(tensors, config);
  }
  return mapOfficialCheckpoint(readTorchCheckpoint(bytes, { source: path }), config);
}

/**
 * Creates the backbone and loads a checkpoint into it.
 *
 * @param config - model config
 * @param seed - initialisation seed (parameters the checkpoint lacks keep it)
 * @param checkpoint - checkpoint path, or none
 * @returns the model and the keys that did not load
 * @category Runs
 */
export function createBackbone(
  config: VisionMambaConfig,
  seed: number,
  checkpoint?: string,
): { model: VisionMamba; missing: string[]; unexpected: string[] } {
  const model = VisionMamba.create(config, { seed });
  if (checkpoint === undefined) return { model, missing: [], unexpected: [] };
  try {
    const { tensors, missing, unexpected } = readCheckpointFor(checkpoint, config);
    const r = model.loadStateDict(tensors);
    return {
      model,
      missing: [...new Set([...missing, ...r.missing])],
      unexpected: [...new Set([...unexpected, ...r.unexpected])],
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
