import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, selectBackend, VisionMamba, writeSafetensors } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';

const choice = await selectBackend(); // tensorflow-gpu → tensorflow → wasm → cpu
console.log('backend:', choice.name); // choice.attempts says why the others were skipped

// The `tiny` preset (28×28 grey, depth 4, d_model 64); the paper's is 'defocus-mamba-large'.
const model = VisionMamba.create('tiny', { seed: 1 });
const images = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D; // NHWC
const features = model.forward(images); // CLS features [2, 64]
console.log('features:', features.shape);

// Per block: the scan input x, Δ and the scan output y, each [batch, seqLen, dInner].
const { features: f2, taps } = model.forwardWithTaps(images);
console.log('blocks:', taps.length, 'x:', taps[0].x.shape);
tf.dispose([f2, ...taps.flatMap((t) => [t.x, t.delta, t.y])]);

// Weights round trip through safetensors (readTorchCheckpoint + mapOfficialCheckpoint read the
// official PyTorch checkpoints the same way).
const file = join(mkdtempSync(join(tmpdir(), 'ssm-core-example-')), 'tiny.safetensors');
writeFileSync(file, writeSafetensors(model.stateDict()));
const copy = VisionMamba.create('tiny', { seed: 2 });
const { missing, unexpected } = copy.loadStateDict(readSafetensors(readFileSync(file), file).tensors);
const same = copy.forward(images);
console.log('missing:', missing.length, 'unexpected:', unexpected.length);
const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(same, features))).dataSync()[0]);
console.log('max difference after reload:', diff);

tf.dispose([images, features, same]);
model.dispose();
copy.dispose();
