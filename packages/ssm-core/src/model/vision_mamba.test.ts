import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { mapOfficialCheckpoint } from '../weights/official_checkpoint.js';
import { readSafetensors } from '../weights/safetensors.js';
import { readTorchCheckpoint } from '../weights/torch_checkpoint.js';
import { MODEL_PRESETS, type VisionMambaConfig } from './model_config.js';
import { parameterShapes } from './parameter_shapes.js';
import { VisionMamba } from './vision_mamba.js';

const dir = (name: string) => fileURLToPath(new URL(`../../fixtures/golden/${name}`, import.meta.url));
const golden = JSON.parse(readFileSync(dir('golden.json'), 'utf8')) as {
  config: VisionMambaConfig;
  batch: number;
  images: number[];
  features: number[];
  headWeight: number[];
  headBias: number[];
  logits: number[];
  taps: Array<{ x: number[]; delta: number[]; y: number[] }>;
  keys: string[];
};
const cfg = golden.config;
const seqLen = (cfg.imgSize / cfg.patchSize) ** 2 + 1;
const TOL = { rtol: 1e-4, atol: 1e-4 };

function loadFrom(kind: 'pth' | 'safetensors'): VisionMamba {
  const model = VisionMamba.create(cfg, { seed: 5 });
  const dict =
    kind === 'pth'
      ? readTorchCheckpoint(dir('golden.pth'))
      : readSafetensors(new Uint8Array(readFileSync(dir('golden.safetensors'))), 'golden.safetensors')
          .tensors;
  const mapped = mapOfficialCheckpoint(dict, cfg);
  expect(mapped.missing).toEqual([]);
  expect(mapped.unexpected).toEqual([]);
  const r = model.loadStateDict(mapped.tensors);
  expect(r).toEqual({ missing: [], unexpected: [] });
  return model;
}

describeWithBackends('VisionMamba', () => {
  it('matches the independent PyTorch implementation (features, head logits, taps of every block)', () => {
    const model = loadFrom('pth');
    const images = tf.tensor4d(golden.images, [golden.batch, cfg.imgSize, cfg.imgSize, cfg.inChans]);
    const { features, taps } = model.forwardWithTaps(images);
    expectTensorsClose(features, tf.tensor2d(golden.features, [golden.batch, cfg.dModel]), TOL);
    const logits = tf.tidy(() =>
      tf.add(
        tf.matMul(features, tf.tensor2d(golden.headWeight, [3, cfg.dModel]), false, true),
        tf.tensor1d(golden.headBias),
      ),
    );
    expectTensorsClose(logits, tf.tensor2d(golden.logits, [golden.batch, 3]), TOL);
    expect(taps.length).toBe(cfg.depth);
    const shape = [golden.batch, seqLen, cfg.dInner] as [number, number, number];
    taps.forEach((t, i) => {
      expectTensorsClose(t.x, tf.tensor3d(golden.taps[i].x, shape), TOL);
      expectTensorsClose(t.delta, tf.tensor3d(golden.taps[i].delta, shape), TOL);
      expectTensorsClose(t.y, tf.tensor3d(golden.taps[i].y, shape), TOL);
    });
    const plain = model.forward(images);
    expectTensorsClose(plain, features, { rtol: 0, atol: 0 });
    tf.dispose([images, features, logits, plain, ...taps.flatMap((t) => [t.x, t.delta, t.y])]);
    model.dispose();
  });

  it('forwardWithTapVisitor: taps and features bit-identical to forwardWithTaps, one block alive at a time', () => {
    const model = VisionMamba.create({ ...cfg, depth: 4 }, { seed: 3 });
    const images = tf.tensor4d(golden.images, [golden.batch, cfg.imgSize, cfg.imgSize, cfg.inChans]);
    const { features, taps } = model.forwardWithTaps(images);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const bytesAtVisit: number[] = [];
    let previous: { x: tf.Tensor; delta: tf.Tensor; y: tf.Tensor } | undefined;
    const f = model.forwardWithTapVisitor(images, (block, t) => {
      seen.push(block);
      bytesAtVisit.push(tf.memory().numBytes);
      // the previous block's taps are gone before this block's arrive
      if (previous) expect([previous.x, previous.delta, previous.y].every((u) => u.isDisposed)).toBe(true);
      previous = t;
      for (const k of ['x', 'delta', 'y'] as const) {
        expect(t[k].shape).toEqual(taps[block][k].shape);
        expect(t[k].dataSync()).toEqual(taps[block][k].dataSync());
      }
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    // memory while block k runs does not grow with k (nothing of earlier blocks is kept)
    expect(new Set(bytesAtVisit).size).toBe(1);
    expect(f.dataSync()).toEqual(features.dataSync());
    f.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, features, ...taps.flatMap((t) => [t.x, t.delta, t.y])]);
    model.dispose();
  });

  it('forwardWithTapVisitor frees everything when the visitor throws', () => {
    const model = loadFrom('pth');
    const images = tf.tensor4d(golden.images, [golden.batch, cfg.imgSize, cfg.imgSize, cfg.inChans]);
    const before = tf.memory().numTensors;
    expect(() =>
      model.forwardWithTapVisitor(images, (block) => {
        if (block === 1) throw new Error('visitor failed');
      }),
    ).toThrow('visitor failed');
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    model.dispose();
  });

  it('gives identical outputs from the .pth and the safetensors copy of the weights', () => {
    const a = loadFrom('pth');
    const b = loadFrom('safetensors');
    const images = tf.tensor4d(golden.images, [golden.batch, cfg.imgSize, cfg.imgSize, cfg.inChans]);
    const fa = a.forward(images);
    const fb = b.forward(images);
    expectTensorsClose(fa, fb, { rtol: 0, atol: 0 });
    tf.dispose([images, fa, fb]);
    a.dispose();
    b.dispose();
  });

  it('has official names and shapes, the official trainable set, and state-dict round trip', () => {
    const model = VisionMamba.create('tiny', { seed: 1 });
    const shapes = parameterShapes(MODEL_PRESETS.tiny);
    expect([...model.parameters.keys()]).toEqual([...shapes.keys()]);
    for (const [k, v] of model.parameters) expect(v.shape).toEqual(shapes.get(k));
    const trainable = model.trainableNames();
    expect(trainable.length).toBe(4 * 5);
    expect(trainable.slice(0, 5)).toEqual([
      'blocks.0.mixer.A_log',
      'blocks.0.mixer.x_proj_step.weight',
      'blocks.0.mixer.x_proj_B.weight',
      'blocks.0.mixer.x_proj_C.weight',
      'blocks.0.mixer.out_proj.weight',
    ]);
    for (const [k, v] of model.parameters) expect(v.trainable).toBe(trainable.includes(k));
    const sd = model.stateDict();
    const other = VisionMamba.create('tiny', { seed: 2 });
    expect(other.loadStateDict(sd, { strict: true })).toEqual({ missing: [], unexpected: [] });
    expect(other.stateDict().get('blocks.3.mixer.dt_proj.bias')!.data).toEqual(
      sd.get('blocks.3.mixer.dt_proj.bias')!.data,
    );
    const partial = new Map(sd);
    partial.delete('norm.bias');
    partial.set('extra', { shape: [1], data: new Float32Array(1) });
    expect(other.loadStateDict(partial)).toEqual({ missing: ['norm.bias'], unexpected: ['extra'] });
    expect(() => other.loadStateDict(partial, { strict: true })).toThrow(
      /missing keys \[norm.bias\].*unexpected keys \[extra\]/,
    );
    const wrong = new Map([['norm.weight', { shape: [3], data: new Float32Array(3) }]]);
    expect(() => other.loadStateDict(wrong)).toThrow("'norm.weight' has shape [3], expected [64]");
    // Mamba-style init
    const aLog = sd.get('blocks.0.mixer.A_log')!.data;
    expect(Array.from(aLog.slice(0, 3)).map((v) => Math.round(Math.exp(v)))).toEqual([1, 2, 3]);
    const dt = Array.from(sd.get('blocks.0.mixer.dt_proj.bias')!.data).map((v) => Math.log1p(Math.exp(v)));
    expect(Math.min(...dt)).toBeGreaterThanOrEqual(1e-3 * 0.999);
    expect(Math.max(...dt)).toBeLessThanOrEqual(0.1 * 1.001);
    expect(() => VisionMamba.create('huge' as 'tiny')).toThrow(
      /unknown preset 'huge' \(known: defocus-mamba-large/,
    );
    expect(() => VisionMamba.create('tiny', { overrides: { groupNormSize: 48 } })).toThrow(
      /dInner 128 is not divisible by groupNormSize 48/,
    );
    model.dispose();
    other.dispose();
  });

  it('trains: variableGrads over the trainable variables, no tensor leak across steps', () => {
    const model = VisionMamba.create({ ...MODEL_PRESETS.tiny, depth: 1 }, { seed: 3 });
    const vars = model.trainableNames().map((n) => model.parameters.get(n)!);
    const images = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(model.forward(images))) as tf.Scalar,
        vars,
      );
      const names = Object.keys(grads);
      value.dispose();
      tf.dispose(grads);
      return names.length;
    };
    expect(step()).toBe(5);
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    model.dispose();
  });
});
