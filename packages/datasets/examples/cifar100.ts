import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR100_CLASS_NAMES, DataLoader, loadCifar100, splitTasks } from '@mamba-cl/datasets';

// A stand-in for the official download (`downloadDataset('cifar100-binary', 'data')` fetches the real
// one): the CIFAR-100 binary layout with 2 train and 1 test image of random pixels per class.
const root = mkdtempSync(join(tmpdir(), 'cifar-'));
const dir = join(root, 'cifar-100-binary');
mkdirSync(dir);
const records = (perClass: number) => {
  const out = new Uint8Array(100 * perClass * 3074);
  for (let i = 0; i < 100 * perClass; i++) {
    out[i * 3074] = 0; // coarse label (unused)
    out[i * 3074 + 1] = i % 100; // fine label
    for (let p = 2; p < 3074; p++) out[i * 3074 + p] = (i * 31 + p * 7) % 256; // CHW pixels
  }
  return out;
};
writeFileSync(join(dir, 'train.bin'), records(2));
writeFileSync(join(dir, 'test.bin'), records(1));
writeFileSync(join(dir, 'fine_label_names.txt'), `${CIFAR100_CLASS_NAMES.join('\n')}\n`);

const cifar = loadCifar100(root); // root/cifar-100-binary or root/cifar-100-python
const split = splitTasks(cifar, { numTasks: 10, seed: 2024 });
console.log('task 0 classes:', split.tasks[0].classes); // [55, 17, 75, 11, 2, 29, 49, 48, 41, 45]

const train = new DataLoader(split.tasks[0].train, {
  batchSize: 4,
  expandTimes: 1,
  seed: 2024,
  workers: 0,
  pipeline: { preset: 'cifar100-train' }, // AutoAugment + RandomResizedCrop 192 + normalise
});
for await (const { images, labels, shape } of train) {
  // images: Float32Array NHWC [b, 192, 192, 3]; labels: Int32Array of global class ids
  const local = Array.from(labels, (g) => split.tasks[0].localLabel(g));
  console.log('batch', shape, images.length, 'floats; local labels', local);
  break;
}
