import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContinualTrainer, createStrategy, eventToJsonLine, inMemoryStream } from '@mamba-cl/cl-trainer';
import { selectBackend, VisionMamba } from '@mamba-cl/ssm-core';

await selectBackend();

// Two tasks of two classes each; images [n, 28, 28, 1] whose brightness pattern depends on the class.
const split = (classes: number[], perClass: number) => {
  const labels = classes.flatMap((c) => Array<number>(perClass).fill(c));
  const images = new Float32Array(labels.length * 28 * 28);
  labels.forEach((c, i) => {
    for (let p = 0; p < 28 * 28; p++) images[i * 784 + p] = ((p * (c + 1)) % 7) / 7 + 0.05 * ((i * p) % 3);
  });
  return { images, labels };
};
const tasks = [
  { classes: [0, 1], train: split([0, 1], 8), val: split([0, 1], 4) },
  { classes: [2, 3], train: split([2, 3], 8), val: split([2, 3], 4) },
];

const backbone = VisionMamba.create('tiny', { seed: 1 });
const stream = inMemoryStream({ tasks, imageShape: [28, 28, 1], batchSize: 8 }); // or loaderStream({ … DataLoader … })
const trainer = new ContinualTrainer({
  backbone,
  strategy: createStrategy('mamba-cl', { eta: 0.95 }),
  stream,
  config: {
    epochs: 1,
    lr: 2e-4,
    seed: 2024,
    checkpoint: { dir: mkdtempSync(join(tmpdir(), 'cl-run-')), everySteps: 2 },
  },
});
trainer.on((e) => {
  if (e.type === 'eval' || e.type === 'task-end') process.stdout.write(`${eventToJsonLine(e)}\n`);
});
const { accuracy, metrics } = await trainer.run(); // or run({ resume: true }) after an interruption
console.log('accuracy matrix:', accuracy);
console.log('final accuracy:', metrics.finalAccuracy, 'forgetting:', metrics.forgetting);
backbone.dispose();
