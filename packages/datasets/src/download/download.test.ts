import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar100 } from '../sources/cifar100.js';
import { datasetDownload, downloadDataset } from './dataset_downloads.js';
import { DownloadError, downloadFile, progressBar } from './download_file.js';
import { createTar, extractTar } from './tar.js';

const dir = mkdtempSync(join(tmpdir(), 'download-test-'));
const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const routes = new Map<string, Buffer>();
const log: { path: string; range?: string }[] = [];
let dropNext = new Set<string>();
let server: Server;
let base = '';

beforeAll(async () => {
  routes.set('/file.bin', body);
  server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    log.push({ path, range: req.headers.range });
    if (path === '/moved') {
      res.writeHead(302, { location: '/file.bin' }).end();
      return;
    }
    const data = routes.get(path);
    if (!data) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    if (m) start = Number(m[1]);
    const headers: Record<string, string | number> = {
      'content-length': data.length - start,
      'accept-ranges': 'bytes',
    };
    if (m) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    res.writeHead(m ? 206 : 200, headers);
    if (dropNext.has(path)) {
      dropNext.delete(path);
      // send a third of the rest, then cut the connection
      res.write(data.subarray(start, start + Math.floor((data.length - start) / 3)), () =>
        res.socket?.destroy(),
      );
      return;
    }
    res.end(data.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('downloadFile (local server on 127.0.0.1)', () => {
  it('downloads, verifies md5 + sha256, reports progress, follows redirects', async () => {
    const seen: number[] = [];
    const dest = join(dir, 'a', 'file.bin');
    await downloadFile(`${base}/moved`, dest, {
      md5: md5(body),
      sha256: sha256(body),
      onProgress: (n) => seen.push(n),
    });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(seen.at(-1)).toBe(body.length);
    // already there with the right checksum: no request
    const before = log.length;
    await downloadFile(`${base}/file.bin`, dest, { md5: md5(body) });
    expect(log.length).toBe(before);
  });

  it('resumes with a Range request after a dropped connection', async () => {
    dropNext = new Set(['/file.bin']);
    const before = log.length;
    const dest = join(dir, 'b', 'file.bin');
    await downloadFile(`${base}/file.bin`, dest, { sha256: sha256(body) });
    expect(readFileSync(dest).equals(body)).toBe(true);
    const reqs = log.slice(before);
    expect(reqs.length).toBe(2);
    expect(reqs[0].range).toBeUndefined();
    expect(reqs[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(reqs[1].range!)![0])).toBeGreaterThan(0);
  });

  it('rejects a checksum mismatch and deletes the partial file; reports HTTP errors', async () => {
    const dest = join(dir, 'c', 'file.bin');
    await expect(downloadFile(`${base}/file.bin`, dest, { md5: '0'.repeat(32) })).rejects.toThrow(
      new RegExp(`checksum mismatch: md5 ${md5(body)}, expected 0{32}`),
    );
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    await expect(downloadFile(`${base}/nothing`, join(dir, 'c', 'x'))).rejects.toThrow(DownloadError);
    await expect(downloadFile(`${base}/nothing`, join(dir, 'c', 'x'))).rejects.toThrow(/HTTP 404/);
  });

  it('writes a progress bar', () => {
    let out = '';
    const sink = {
      isTTY: false,
      write(s: string) {
        out += s;
        return true;
      },
    };
    const bar = progressBar('file', sink as never);
    for (let i = 0; i <= 10; i++) bar(i * 10, 100);
    expect(out.trim().split('\n').length).toBe(11);
    expect(out).toContain('file: 0.0/0.0 MB');
  });
});

describe('tar', () => {
  it('round-trips files (long names via prefix), plain and gzipped, and refuses tar-slip', async () => {
    const long = `${'d'.repeat(120)}/x.txt`;
    const tar = createTar([
      ['top/a.txt', Buffer.from('hello')],
      ['top/sub/b.bin', body.subarray(0, 1000)],
      [long, Buffer.from('deep')],
    ]);
    writeFileSync(join(dir, 't.tar'), tar);
    writeFileSync(join(dir, 't.tar.gz'), gzipSync(tar));
    const written = await extractTar(join(dir, 't.tar'), join(dir, 'x1'));
    expect(written.length).toBe(3);
    expect(readFileSync(join(dir, 'x1', 'top', 'a.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(dir, 'x1', long), 'utf8')).toBe('deep');
    await extractTar(join(dir, 't.tar.gz'), join(dir, 'x2'), { strip: 1 });
    expect(readFileSync(join(dir, 'x2', 'sub', 'b.bin')).equals(body.subarray(0, 1000))).toBe(true);
    writeFileSync(join(dir, 'evil.tar'), createTar([['../evil.txt', Buffer.from('x')]]));
    await expect(extractTar(join(dir, 'evil.tar'), join(dir, 'x3'))).rejects.toThrow(
      /escapes the target directory/,
    );
    writeFileSync(join(dir, 'short.tar'), tar.subarray(0, 700));
    await expect(extractTar(join(dir, 'short.tar'), join(dir, 'x4'))).rejects.toThrow(
      /truncated inside entry 'top\/a.txt'|truncated/,
    );
    writeFileSync(join(dir, 'junk.tar'), Buffer.alloc(1024, 65));
    await expect(extractTar(join(dir, 'junk.tar'), join(dir, 'x5'))).rejects.toThrow(
      /header 0 fails its checksum .*not a tar file/,
    );
  });
});

describe('downloadDataset', () => {
  it('fetches a CIFAR-100 binary tarball from a mirror, extracts atomically, loads', async () => {
    const rec = (fine: number) => {
      const r = new Uint8Array(3074);
      r[0] = 1;
      r[1] = fine;
      return r;
    };
    const names = Buffer.from(Array.from({ length: 100 }, (_, i) => `n${i}`).join('\n'));
    const tgz = gzipSync(
      createTar([
        ['cifar-100-binary/train.bin', Buffer.concat([rec(5), rec(6)])],
        ['cifar-100-binary/test.bin', rec(7)],
        ['cifar-100-binary/fine_label_names.txt', names],
        ['cifar-100-binary/coarse_label_names.txt', Buffer.from('c')],
      ]),
    );
    routes.set('/cifar.tgz', tgz);
    const root = join(dir, 'data');
    const out = await downloadDataset('cifar100-binary', root, { url: `${base}/cifar.tgz`, md5: md5(tgz) });
    expect(out).toBe(join(root, 'cifar-100-binary'));
    expect(existsSync(join(root, 'cifar-100-binary.tar.gz'))).toBe(false);
    const src = loadCifar100(root);
    expect(src.train.map((it) => it.label)).toEqual([5, 6]);
    // the published checksum is the default
    expect(datasetDownload('cifar100-binary').md5).toBe('03b5dce01913d631647c71ecec9e9cb8');
    expect(() => datasetDownload('mnist')).toThrow(/known: cifar100-binary, cifar100-python, imagenet-r/);
  });
});
