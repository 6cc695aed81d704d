import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder, loadListFiles } from './folder_source.js';

const dir = mkdtempSync(join(tmpdir(), 'folder-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 24-bit bottom-up BMP of w×h with pixel (x, y) = [v, x, y]. */
function bmp(w: number, h: number, v: number): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + row * h);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 54 + (h - 1 - y) * row + x * 3;
      b[o] = y; // B
      b[o + 1] = x; // G
      b[o + 2] = v; // R
    }
  }
  return b;
}

function put(path: string, data: Buffer) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

beforeAll(async () => {
  // unified layout, CIFAR style
  put(join(dir, 'cifar', 'train', '07', '12.bmp'), bmp(3, 2, 70));
  put(join(dir, 'cifar', 'train', '07', '100.bmp'), bmp(3, 2, 71));
  put(join(dir, 'cifar', 'train', '02', '5.bmp'), bmp(3, 2, 20));
  put(join(dir, 'cifar', 'train', '02', 'notes.txt'), Buffer.from('x'));
  put(join(dir, 'cifar', 'val', '99', '1.bmp'), bmp(3, 2, 99));
  // ImageNet-R style, PNG
  const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 9, g: 8, b: 7 } } })
    .png()
    .toBuffer();
  put(join(dir, 'inr', 'train', 'n02', 'b.png'), png);
  put(join(dir, 'inr', 'train', 'n01', 'a.png'), png);
  put(join(dir, 'inr', 'val', 'n03', 'c.png'), png);
  writeFileSync(join(dir, 'inr_names.txt'), 'n03 goldfish\nn01 ant\nn02 bee\n');
  // DomainNet style: folder = label zero-padded to 3, JPEG
  const jpg = await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 100, b: 50 } },
  })
    .jpeg({ quality: 95 })
    .toBuffer();
  put(join(dir, 'dn', 'train', '002', 'real_1.jpg'), jpg);
  put(join(dir, 'dn', 'train', '000', 'sketch_9.JPG'), jpg);
  put(join(dir, 'dn', 'val', '001', 'clipart_3.jpeg'), jpg);
});

describe('loadImageFolder', () => {
  it('CIFAR: int(folder) labels, items by class then sorted path, lazy BMP decode', async () => {
    const src = loadImageFolder(join(dir, 'cifar'), { dataset: 'cifar100' });
    expect(src.classNames[7]).toBe('beetle');
    expect(src.train.map((it) => [it.label, it.key.slice(it.key.indexOf('train'))])).toEqual([
      [2, join('train', '02', '5.bmp')],
      [7, join('train', '07', '100.bmp')],
      [7, join('train', '07', '12.bmp')],
    ]);
    expect(src.val.map((it) => it.label)).toEqual([99]);
    const img = await src.train[2].load();
    expect(img).toMatchObject({ width: 3, height: 2, channels: 3 });
    // pixel (x=2, y=1) = [R=70, G=x, B=y]
    expect(Array.from(img.pixels.subarray((1 * 3 + 2) * 3, (1 * 3 + 2) * 3 + 3))).toEqual([70, 2, 1]);
    expect(src.train[0].file).toBe(src.train[0].key);
  });

  it('ImageNet-R: sorted wnid index over train ∪ val, names by wnid', async () => {
    const src = loadImageFolder(join(dir, 'inr'), {
      dataset: 'imagenet-r',
      classNamesFile: join(dir, 'inr_names.txt'),
    });
    expect(src.classNames).toEqual(['ant', 'bee', 'goldfish']);
    expect(src.train.map((it) => it.label)).toEqual([0, 1]);
    expect(src.val.map((it) => it.label)).toEqual([2]);
    const img = await src.val[0].load();
    expect(Array.from(img.pixels.subarray(0, 3))).toEqual([9, 8, 7]);
  });

  it('DomainNet: label = int(folder), JPEG decode', async () => {
    const src = loadImageFolder(join(dir, 'dn'), { dataset: 'domainnet' });
    expect(src.classNames).toEqual(['000', '001', '002']);
    expect(src.train.map((it) => it.label)).toEqual([0, 2]);
    expect(src.val.map((it) => it.label)).toEqual([1]);
    const img = await src.train[1].load();
    expect(img).toMatchObject({ width: 8, height: 8, channels: 3 });
    expect(Math.abs(img.pixels[0] - 200)).toBeLessThan(4);
  });

  it('explains a wrong layout or folder name', () => {
    expect(() => loadImageFolder(join(dir, 'nothing'))).toThrow(
      /no train\/ directory, expected ROOT\/\{train,val\}/,
    );
    expect(() => loadImageFolder(join(dir, 'inr'), { dataset: 'cifar100' })).toThrow(
      /class folder 'n01' is not a number, expected 2 digits 00..99/,
    );
  });
});

describe('loadListFiles', () => {
  it('ImageNet-R lists: sorted wnid index', () => {
    writeFileSync(join(dir, 'r_train.txt'), 'n02/b.png\nn01/a.png\n');
    writeFileSync(join(dir, 'r_val.txt'), 'n03/c.png\n');
    const src = loadListFiles({
      dataset: 'imagenet-r',
      root: join(dir, 'inr', 'train'),
      trainList: join(dir, 'r_train.txt'),
      valList: join(dir, 'r_val.txt'),
    });
    expect(src.train.map((it) => [it.label, it.key])).toEqual([
      [0, join(dir, 'inr', 'train', 'n01', 'a.png')],
      [1, join(dir, 'inr', 'train', 'n02', 'b.png')],
    ]);
    expect(src.classNames).toEqual(['n01', 'n02', 'n03']);
  });

  it('DomainNet lists: given labels and class names from paths', () => {
    writeFileSync(
      join(dir, 'd_train.txt'),
      'real/sweater/x.jpg 1\nclipart/pickup_truck/y.jpg 0\nreal/pickup_truck/a.jpg 0\n',
    );
    writeFileSync(join(dir, 'd_val.txt'), 'sketch/The_Eiffel_Tower/z.jpg 2\n');
    const src = loadListFiles({
      dataset: 'domainnet',
      root: '/data/dn',
      trainList: join(dir, 'd_train.txt'),
      valList: join(dir, 'd_val.txt'),
    });
    expect(src.classNames).toEqual(['pickup_truck', 'sweater', 'The_Eiffel_Tower']);
    expect(src.train.map((it) => [it.label, it.key])).toEqual([
      [0, join('/data/dn', 'clipart/pickup_truck/y.jpg')],
      [0, join('/data/dn', 'real/pickup_truck/a.jpg')],
      [1, join('/data/dn', 'real/sweater/x.jpg')],
    ]);
  });

  it('CIFAR lists and errors that name list file and line', () => {
    writeFileSync(join(dir, 'c_train.txt'), '07/12.bmp\n02/5.bmp\n');
    writeFileSync(join(dir, 'c_bad.txt'), '07/12.bmp\n7 12.bmp\n');
    const src = loadListFiles({
      dataset: 'cifar100',
      root: join(dir, 'cifar', 'train'),
      trainList: join(dir, 'c_train.txt'),
      valList: join(dir, 'c_train.txt'),
    });
    expect(src.train.map((it) => it.label)).toEqual([2, 7]);
    expect(() =>
      loadListFiles({
        dataset: 'cifar100',
        root: dir,
        trainList: join(dir, 'c_bad.txt'),
        valList: join(dir, 'c_train.txt'),
      }),
    ).toThrow("c_bad.txt: line 2: '7 12.bmp', expected '<2-digit label>/<index>.bmp'");
    writeFileSync(join(dir, 'd_bad.txt'), 'real/sweater/x.jpg\n');
    expect(() =>
      loadListFiles({
        dataset: 'domainnet',
        root: dir,
        trainList: join(dir, 'd_bad.txt'),
        valList: join(dir, 'd_bad.txt'),
      }),
    ).toThrow(/d_bad.txt: line 1: 'real\/sweater\/x.jpg', expected '<domain>\/<class>\/<file>.jpg <label>'/);
  });
});
