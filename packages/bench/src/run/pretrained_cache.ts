import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { VisionMamba, type VisionMambaConfig, writeSafetensors } from '@mamba-cl/ssm-core';
import type { WeightsSpec } from '../presets/benchmark_preset.js';
import { loadPretrainingData, pretrainBackbone } from './pretrain.js';
import { verifyPretrainedCache, writeCachedWeights } from './pretrained_integrity.js';

/** The seed of pretraining: fixed, so that every run seed reuses one cached checkpoint. */
export const PRETRAIN_SEED = 0;

/**
 * The cache key of a pretrained checkpoint: a hash of everything that shapes it.
 *
 * @category Runs
 */
export function pretrainKey(
  config: VisionMambaConfig,
  spec: Extract<WeightsSpec, { kind: 'pretrain' }>,
): string {
  let mnistVersion = 'unknown';
  try {
    const require = createRequire(import.meta.url);
    const datasetsPkg = require.resolve('@mamba-cl/datasets/package.json');
    const requireFromDatasets = createRequire(datasetsPkg);
    mnistVersion = (
      JSON.parse(readFileSync(requireFromDatasets.resolve('mnist/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    // the version only refines the key
  }
  const text = JSON.stringify({ format: 1, config, spec, seed: PRETRAIN_SEED, mnist: mnistVersion });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Returns the pretrained checkpoint of a model config and pretraining settings, training and
 * caching it on first use.
 *
 * **Details**
 * The data come from `loadPretrainingData` (the embedded default: held-out Fashion-MNIST training
 * images). The file is `<cacheDir>/pretrained/<model>-<dataset>-<key>.safetensors`, where the key hashes the
 * model config, the pretraining settings, the seed and the mnist package version; later runs
 * (any seed, any strategy) reuse it. It is written atomically with its SHA-256 beside it
 * (`<file>.sha256`); each load checks the hash, that it parses and that every weight is finite,
 * and makes a broken file again (`onBroken` says why). Non-finite fresh weights are never cached.
 *
 * @param config - the model config
 * @param spec - pretraining settings (from the preset)
 * @param options - cache folder, progress callbacks
 * @returns the checkpoint path and whether it was just made
 * @category Runs
 */
export async function ensurePretrained(
  config: VisionMambaConfig,
  spec: Extract<WeightsSpec, { kind: 'pretrain' }>,
  options: {
    cacheDir: string;
    /** Told why a cached file is broken, before it is made again. */
    onBroken?: (why: string) => void;
    name: string;
    onStart?: (totalSteps: number) => void;
    onStep?: (step: number, total: number, loss: number) => void;
    onEnd?: (accuracy: number, seconds: number, path: string) => void;
  },
): Promise<{ path: string; created: boolean; accuracy?: number }> {
  const dir = join(options.cacheDir, 'pretrained');
  const path = join(dir, `${options.name}-${spec.dataset}-${pretrainKey(config, spec)}.safetensors`);
  if (existsSync(path)) {
    // verified on every load (stored hash, parse, finite values); a broken file is made again
    const check = verifyPretrainedCache(path);
    if (check.ok) return { path, created: false };
    options.onBroken?.(check.why);
    rmSync(path, { force: true });
  }
  const t0 = performance.now();
  const { train, test } = await loadPretrainingData(spec, config, options.cacheDir);
  const model = VisionMamba.create(config, { seed: PRETRAIN_SEED });
  try {
    options.onStart?.(spec.epochs * Math.ceil(train.labels.length / spec.batchSize));
    const r = await pretrainBackbone(model, train, test, {
      numClasses: 10,
      epochs: spec.epochs,
      batchSize: spec.batchSize,
      lr: spec.lr,
      seed: PRETRAIN_SEED,
      onStep: options.onStep,
    });
    mkdirSync(dir, { recursive: true });
    writeCachedWeights(
      path,
      writeSafetensors(await model.stateDictAsync(), {
        metadata: {
          origin: `mamba-cl embedded default: pretrained on ${spec.dataset === 'mnist' ? 'MNIST' : 'held-out Fashion-MNIST training images'}`,
          accuracy: r.accuracy.toFixed(2),
        },
      }),
    );
    options.onEnd?.(r.accuracy, (performance.now() - t0) / 1000, path);
    return { path, created: true, accuracy: r.accuracy };
  } finally {
    model.dispose();
  }
}
