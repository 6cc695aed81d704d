import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../io/dataset_format_error.js';
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

describe('hostile list files and folders', () => {
  const lists = (name: string, train: string, val = train) => {
    writeFileSync(join(dir, `${name}_train.txt`), train);
    writeFileSync(join(dir, `${name}_val.txt`), val);
    return { trainList: join(dir, `${name}_train.txt`), valList: join(dir, `${name}_val.txt`) };
  };
  const root = join(dir, 'root');

  it('refuses listed paths that resolve outside the data root', () => {
    const inr = lists('escape_r', 'n01/a.png\n../secret.jpg\n');
    expect(() => loadListFiles({ dataset: 'imagenet-r', root, ...inr })).toThrow(
      new DatasetFormatError(
        `escape_r_train.txt: line 2: path '../secret.jpg' resolves outside the data root ${root}; list paths must be relative and stay inside it`,
      ),
    );
    for (const bad of [
      '../secret/passwd.jpg 0',
      '/etc/passwd.jpg 0',
      'real/../../x.jpg 1',
      'real/cat/\0.jpg 2',
    ]) {
      const dn = lists('escape_d', `real/cat/ok.jpg 0\n\n${bad}\n`);
      expect(() => loadListFiles({ dataset: 'domainnet', root, ...dn })).toThrow(
        /^escape_d_train\.txt: line 3: path '.*' resolves outside the data root/,
      );
    }
    // '..' that stays inside, and names that merely start with '..', are fine
    const ok = lists('inside_d', 'real/../real/a.jpg 0\n..cat/b.jpg 1\n');
    const src = loadListFiles({ dataset: 'domainnet', root, ...ok });
    expect(src.train.map((it) => it.key)).toEqual([join(root, 'real/a.jpg'), join(root, '..cat/b.jpg')]);
  });

  it('validates DomainNet labels against the class count before allocating names', () => {
    for (const label of ['100000000', '4294967296', '345', '99999999999999999999999']) {
      const dn = lists('label_d', `real/cat/a.jpg 0\nreal/dog/b.jpg ${label}\n`);
      expect(() => loadListFiles({ dataset: 'domainnet', root, ...dn })).toThrow(
        `label_d_train.txt: line 2: label ${label} is out of range, expected an integer in 0..344 (numClasses 345)`,
      );
    }
    const dn = lists('label200', 'real/cat/a.jpg 0\nreal/dog/b.jpg 199\n');
    const src = loadListFiles({ dataset: 'domainnet', root, numClasses: 200, ...dn });
    expect(src.classNames.length).toBe(200);
    expect(src.classNames[199]).toBe('dog');
    const over = lists('label200b', 'real/dog/b.jpg 200\n');
    expect(() => loadListFiles({ dataset: 'domainnet', root, numClasses: 200, ...over })).toThrow(
      /line 1: label 200 is out of range, expected an integer in 0\.\.199 \(numClasses 200\)/,
    );
  });

  it('loads a 200 000-line DomainNet list (no spread of large arrays)', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `real/c${i % 200}/${i}.jpg ${i % 200}`);
    const dn = lists('big_d', `${lines.join('\n')}\n`, 'sketch/c0/0.jpg 0\n');
    const src = loadListFiles({ dataset: 'domainnet', root, ...dn });
    expect(src.train.length).toBe(200_000);
    expect(src.classNames.length).toBe(200);
    expect(src.classNames[199]).toBe('c199');
    expect(src.train[0].label).toBe(0);
    expect(src.train[199_999].label).toBe(199);
  });

  it('names the path of a missing list file, names file, or a dangling class-folder symlink', () => {
    const missing = join(dir, 'no_such_list.txt');
    expect(() =>
      loadListFiles({ dataset: 'imagenet-r', root, trainList: missing, valList: missing }),
    ).toThrow(new RegExp(`^${missing}: cannot read list file \\(ENOENT`));
    expect(() => loadListFiles({ dataset: 'imagenet-r', root, trainList: dir, valList: dir })).toThrow(
      `${dir}: list file is not a regular file`,
    );
    const inr = lists('names_r', 'n01/a.png\n');
    const names = join(dir, 'no_names.txt');
    expect(() => loadListFiles({ dataset: 'imagenet-r', root, classNamesFile: names, ...inr })).toThrow(
      new RegExp(`^${names}: cannot read class names file \\(ENOENT`),
    );
    const dangling = join(dir, 'dangling');
    mkdirSync(join(dangling, 'train', 'a'), { recursive: true });
    mkdirSync(join(dangling, 'val'), { recursive: true });
    symlinkSync(join(dir, 'gone'), join(dangling, 'train', 'b'));
    expect(() => loadImageFolder(dangling)).toThrow(
      new RegExp(
        `^${join(dangling, 'train', 'b')}: class folder is a symbolic link whose target cannot be read \\(ENOENT`,
      ),
    );
  });
});
