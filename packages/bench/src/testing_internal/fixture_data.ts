/**
 * Tiny data sets in the real on-disk layouts of the paper benchmarks, made by tests in a temp
 * folder (CIFAR-100 binary records, ImageNet-R split folders of JPEGs, DomainNet list files with a
 * raw tree), and the small official-format checkpoint of `@mamba-cl/ssm-core`'s fixtures.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** A tiny deterministic generator (tests only). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Class-dependent RGB pixels (HWC): a colour per class plus noise. */
function pixelsHwc(label: number, w: number, h: number, rnd: () => number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const base = [(label * 37) % 256, (label * 91) % 256, (label * 53) % 256];
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++)
      out[i * 3 + c] = Math.max(0, Math.min(255, base[c] + Math.floor((rnd() - 0.5) * 60)));
  }
  return out;
}

/**
 * Writes `<root>/cifar-100-binary/{train,test}.bin` with `perClass` records per class (coarse
 * label, fine label, 3072 CHW pixels each).
 */
export function writeCifar100Binary(root: string, perClass: { train: number; test: number }): void {
  const dir = join(root, 'cifar-100-binary');
  mkdirSync(dir, { recursive: true });
  const rnd = lcg(1);
  for (const [name, n] of [
    ['train.bin', perClass.train],
    ['test.bin', perClass.test],
  ] as const) {
    const buf = new Uint8Array(100 * n * 3074);
    let o = 0;
    for (let k = 0; k < n; k++) {
      for (let label = 0; label < 100; label++) {
        buf[o] = label % 20;
        buf[o + 1] = label;
        const hwc = pixelsHwc(label, 32, 32, rnd);
        for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) buf[o + 2 + c * 1024 + p] = hwc[p * 3 + c];
        o += 3074;
      }
    }
    writeFileSync(join(dir, name), buf);
  }
  // the binary release ships the label names beside the records
  writeFileSync(
    join(dir, 'fine_label_names.txt'),
    `${Array.from({ length: 100 }, (_, i) => `class_${i}`).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'coarse_label_names.txt'),
    `${Array.from({ length: 20 }, (_, i) => `super_${i}`).join('\n')}\n`,
  );
}

async function writeJpeg(
  path: string,
  label: number,
  w: number,
  h: number,
  rnd: () => number,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await sharp(Buffer.from(pixelsHwc(label, w, h, rnd)), { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toFile(path);
}

/** Writes `<root>/{train,val}/<wnid>/<file>.jpg` for 200 fake wnids (the split_imagenet_r layout). */
export async function writeImagenetRFolders(
  root: string,
  perClass: { train: number; val: number },
): Promise<void> {
  const rnd = lcg(2);
  const jobs: Promise<void>[] = [];
  for (let c = 0; c < 200; c++) {
    const wnid = `n${String(1000000 + c * 7).padStart(8, '0')}`;
    for (const [split, n] of [
      ['train', perClass.train],
      ['val', perClass.val],
    ] as const) {
      for (let k = 0; k < n; k++)
        jobs.push(writeJpeg(join(root, split, wnid, `art_${k}.jpg`), c, 20, 14, rnd));
    }
  }
  await Promise.all(jobs);
}

/** Writes a raw DomainNet tree `<root>/<domain>/<class>/<file>.jpg` plus `sdomain_{train,val}.txt`. */
export async function writeDomainNetLists(
  root: string,
  perClass: { train: number; val: number },
): Promise<void> {
  const rnd = lcg(3);
  const domains = ['clipart', 'infograph', 'painting', 'quickdraw', 'real', 'sketch'];
  const lines: Record<'train' | 'val', string[]> = { train: [], val: [] };
  const jobs: Promise<void>[] = [];
  for (let label = 0; label < 200; label++) {
    for (const split of ['train', 'val'] as const) {
      for (let k = 0; k < perClass[split]; k++) {
        const rel = `${domains[(label + k) % 6]}/class_${label}/${split}_${k}.jpg`;
        lines[split].push(`${rel} ${label}`);
        jobs.push(writeJpeg(join(root, rel), label, 16, 16, rnd));
      }
    }
  }
  await Promise.all(jobs);
  writeFileSync(join(root, 'sdomain_train.txt'), `${lines.train.join('\n')}\n`);
  writeFileSync(join(root, 'sdomain_val.txt'), `${lines.val.join('\n')}\n`);
}

const here = dirname(fileURLToPath(import.meta.url));

/** The official-format (fused x_proj, `{'model': …}`) PyTorch checkpoint of ssm-core's golden fixture. */
export const GOLDEN_CHECKPOINT = join(here, '..', '..', '..', 'ssm-core', 'fixtures', 'golden', 'golden.pth');

/** Writes the golden fixture's model config as a `--model` JSON file; returns its path. */
export function writeGoldenModelJson(dir: string): string {
  const golden = JSON.parse(
    readFileSync(join(here, '..', '..', '..', 'ssm-core', 'fixtures', 'golden', 'golden.json'), 'utf8'),
  ) as { config: Record<string, unknown> };
  const path = join(dir, 'golden-model.json');
  writeFileSync(path, JSON.stringify(golden.config));
  return path;
}
