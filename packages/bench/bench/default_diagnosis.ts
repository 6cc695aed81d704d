/**
 * Where the embedded default's forgetting comes from (issue 11), printed (no assertions).
 *
 * Runs one strategy on `default-val` (validation images) like `mamba-cl run default-val`, and after
 * every task t, for every seen task τ, prints: the official accuracy (current features, all seen
 * heads) / the accuracy with τ's features as they were right after τ was learned (same current
 * heads: what the heads alone cost) / the accuracy with τ's own head only (task id known), the
 * relative drift ‖F_now − F_τ‖ / ‖F_τ‖ of τ's CLS features, and the % of τ's images taken by later heads.
 *
 * Usage:
 *   node --conditions=@mamba-cl/source --import tsx packages/bench/bench/default_diagnosis.ts \
 *     [--strategy mamba-cl] [--seed 2025] [--eta 0.8] [--weights <file>] \
 *     [--pretrain-epochs 3] [--pretrain-per-class 1000]
 * Without --weights the backbone is the default's pretraining with the given epochs and pool size
 * (cached like the default's); the validation images are the 200 per class before that pool.
 */
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { ContinualTrainer, createStrategy, iterateBatches, type TrainerEvent } from '@mamba-cl/cl-trainer';
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchmarkPreset, WeightsSpec } from '../src/presets/benchmark_preset.js';
import { BENCHMARKS } from '../src/presets/preset_registry.js';
import { ensurePretrained } from '../src/run/pretrained_cache.js';
import { createBackbone, resolveModelConfig } from '../src/wiring/model.js';
import { prepareData } from '../src/wiring/prepare_data.js';

const { values } = parseArgs({
  options: {
    strategy: { type: 'string', default: 'mamba-cl' },
    seed: { type: 'string', default: '2025' },
    eta: { type: 'string' },
    weights: { type: 'string' },
    'pretrain-epochs': { type: 'string' },
    'pretrain-per-class': { type: 'string' },
  },
});
const strategy = values.strategy;
const seed = Number(values.seed);
const cacheDir = process.env.MAMBA_CL_CACHE_DIR ?? `${homedir()}/.cache/mamba-cl`;
await selectBackend('auto');
const base = BENCHMARKS.get('default-val');
const w = base.weights as Extract<WeightsSpec, { kind: 'pretrain' }>;
const spec: Extract<WeightsSpec, { kind: 'pretrain' }> = {
  ...w,
  epochs: Number(values['pretrain-epochs'] ?? w.epochs),
  perClass: Number(values['pretrain-per-class'] ?? w.perClass),
};
const preset: BenchmarkPreset = { ...base, weights: spec };
const train = { ...preset.train, ...(values.eta ? { eta: Number(values.eta) } : {}) };
const config = resolveModelConfig(preset.model);
const weights =
  values.weights ??
  (
    await ensurePretrained(config, spec, {
      cacheDir,
      name: preset.model,
      onEnd: (acc, s) =>
        console.log(`pretrained: held-out accuracy ${acc.toFixed(2)} % in ${s.toFixed(0)} s`),
    })
  ).path;
console.log(`weights ${weights}; pretraining pool ${JSON.stringify(spec)}`);
const data = await prepareData(preset, {
  seed,
  train,
  imgSize: config.imgSize,
  inChans: config.inChans,
  cacheDir,
});
const T = data.stream.tasks.length;
const evalSets: { x: tf.Tensor4D; y: Int32Array }[] = [];
for (let tau = 0; tau < T; tau++) {
  const xs: tf.Tensor4D[] = [];
  const ys: number[] = [];
  for await (const b of iterateBatches(data.stream.eval(tau))) {
    xs.push(tf.tensor4d(b.images, [...b.shape] as [number, number, number, number]));
    ys.push(...b.labels);
  }
  evalSets.push({ x: tf.concat(xs) as tf.Tensor4D, y: Int32Array.from(ys) });
  for (const t of xs) t.dispose();
}
const { model } = createBackbone(config, seed, weights);
const options = {
  ...(strategy === 'mamba-cl' ? { eta: train.eta } : {}),
  ...(preset.strategyOptions?.[strategy] ?? {}),
};
const trainer = new ContinualTrainer({
  backbone: model,
  strategy: createStrategy(strategy, options),
  stream: data.stream,
  config: {
    epochs: train.epochs,
    expandTimes: train.expandTimes,
    lr: train.lr,
    headLrScale: train.headLrScale,
    weightDecay: train.weightDecay,
    milestones: [...train.milestones],
    gamma: train.gamma,
    seed,
    workers: 0,
  },
});
const first: tf.Tensor2D[] = [];
const features = (x: tf.Tensor4D): tf.Tensor2D =>
  tf.tidy(() => {
    const out: tf.Tensor2D[] = [];
    for (let i = 0; i < x.shape[0]; i += 200)
      out.push(model.forward(tf.slice(x, [i, 0, 0, 0], [Math.min(200, x.shape[0] - i), -1, -1, -1])));
    return tf.concat(out) as tf.Tensor2D;
  });
console.log(`${strategy}, seed ${seed}, class order ${data.classOrder.join(',')}`);
trainer.on((e: TrainerEvent) => {
  if (e.type !== 'eval') return;
  const t = e.task;
  const seen = Array.from({ length: t + 1 }, (_, i) => i);
  const classes = trainer.heads.classesOf(seen);
  const cols: string[] = [];
  for (let tau = 0; tau <= t; tau++) {
    const F = features(evalSets[tau].x);
    if (tau === t) first[tau] = tf.keep(tf.clone(F));
    const y = evalSets[tau].y;
    cols.push(
      tf.tidy(() => {
        const drift = tf.div(tf.norm(tf.sub(F, first[tau])), tf.norm(first[tau])).dataSync()[0];
        const cil = tf.argMax(trainer.heads.logits(F, seen), 1).dataSync();
        const frozen = tf.argMax(trainer.heads.logits(first[tau], seen), 1).dataSync();
        const own = trainer.heads.classesOf([tau]);
        const til = tf.argMax(trainer.heads.logits(F, [tau]), 1).dataSync();
        let a = 0;
        let af = 0;
        let at = 0;
        let later = 0;
        for (let i = 0; i < y.length; i++) {
          if (classes[cil[i]] === y[i]) a++;
          else if (Math.floor(cil[i] / own.length) > tau) later++;
          if (classes[frozen[i]] === y[i]) af++;
          if (own[til[i]] === y[i]) at++;
        }
        const pct = (k: number) => ((100 * k) / y.length).toFixed(1);
        return `${pct(a)}/${pct(af)}/${pct(at)} d${drift.toFixed(2)} L${pct(later)}`;
      }),
    );
    F.dispose();
  }
  console.log(
    `after task ${t} [official / features frozen when learned / own head, drift, % to later heads]: ${cols.join(' | ')}   acc ${e.accuracy.toFixed(2)} forg ${e.forgetting.toFixed(2)}`,
  );
});
await trainer.run();
