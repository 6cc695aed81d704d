import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { createTar, extractTar } from './tar.js';

const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One ustar header block of the given type, with a valid checksum; `size` may be any octal string. */
function header(name: string, size: number | string, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(typeof size === 'string' ? size : `${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
/** A metadata entry (GNU 'L' or pax 'x') carrying `payload`, then a regular file. */
function withMeta(type: string, payload: Buffer, file: string, data: Buffer): Buffer {
  return Buffer.concat([
    header('././@LongLink', payload.length, type),
    payload,
    pad(payload.length),
    header(file, data.length, '0'),
    data,
    pad(data.length),
    Buffer.alloc(1024),
  ]);
}

function put(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('extractTar bounds and errors', () => {
  it('refuses a GNU long name claiming 1 GiB in a 1 MB tar.gz, before reading it', async () => {
    const tgz = gzipSync(Buffer.concat([header('././@LongLink', 2 ** 30, 'L'), Buffer.alloc(2 ** 20, 0x61)]));
    const archive = put('longname.tar.gz', tgz);
    const err = await extractTar(archive, join(dir, 'ln')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as Error).message).toBe(
      `${archive}: header 1 is a GNU long name ('L') of 1073741824 bytes, more than the limit of 65536: corrupt or hostile archive`,
    );
    // the entry before it is named too
    const after = Buffer.concat([
      createTar([['ok.txt', Buffer.from('x')]]).subarray(0, 1024),
      header('././@LongLink', 70_000, 'L'),
    ]);
    await expect(extractTar(put('after.tar', after), join(dir, 'ln2'))).rejects.toThrow(
      /header 2 \(after entry 'ok\.txt'\) is a GNU long name \('L'\) of 70000 bytes/,
    );
    await expect(extractTar(put('pax.tar', header('pax', 2 ** 21, 'x')), join(dir, 'px'))).rejects.toThrow(
      /pax\.tar: header 1 is a pax header \('x'\) of 2097152 bytes, more than the limit of 1048576/,
    );
  });

  it('still reads GNU long names and pax paths within the limits', async () => {
    const long = `${'n'.repeat(150)}/${'m'.repeat(150)}.txt`;
    const a = put('gnu.tar', withMeta('L', Buffer.from(`${long}\0`), 'short', Buffer.from('gnu')));
    expect(await extractTar(a, join(dir, 'g'))).toEqual([join(dir, 'g', long)]);
    expect(readFileSync(join(dir, 'g', long), 'utf8')).toBe('gnu');
    const rec = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let n = body.length + 1;
      while (`${n}${body}`.length !== n) n++;
      return `${n}${body}`;
    };
    const b = put(
      'pax_ok.tar',
      withMeta('x', Buffer.from(rec('path', 'p/q.txt')), 'short', Buffer.from('pax')),
    );
    await extractTar(b, join(dir, 'p'));
    expect(readFileSync(join(dir, 'p', 'p', 'q.txt'), 'utf8')).toBe('pax');
  });

  it('names the archive when it is empty, holds no entries, is missing or has a bad size field', async () => {
    const empty = put('empty.tar', new Uint8Array(0));
    await expect(extractTar(empty, join(dir, 'e'))).rejects.toThrow(`${empty}: archive is empty (0 bytes)`);
    const zeros = put('zeros.tar', new Uint8Array(1024));
    await expect(extractTar(zeros, join(dir, 'e'))).rejects.toThrow(
      `${zeros}: archive holds no entries (1024 bytes)`,
    );
    const gz = put('empty.tar.gz', gzipSync(new Uint8Array(0)));
    await expect(extractTar(gz, join(dir, 'e'))).rejects.toThrow(`${gz}: archive is empty (0 bytes)`);
    const missing = join(dir, 'nope.tar');
    await expect(extractTar(missing, join(dir, 'e'))).rejects.toThrow(
      new RegExp(`^${missing}: cannot read archive \\(ENOENT`),
    );
    const bad = put('size.tar', Buffer.concat([header('f', 'zzzzzzzzzzz\0', '0'), Buffer.alloc(1024)]));
    await expect(extractTar(bad, join(dir, 'e'))).rejects.toThrow(
      `${bad}: header 1 has size field 'zzzzzzzzzzz', expected an octal byte count`,
    );
    const cut = put(
      'cut_meta.tar',
      withMeta('L', Buffer.alloc(600, 0x62), 'f', Buffer.from('x')).subarray(0, 700),
    );
    await expect(extractTar(cut, join(dir, 'e'))).rejects.toThrow(
      /cut_meta\.tar: archive truncated inside header 1/,
    );
  });

  it('caps the bytes written with maxBytes and names an entry it cannot create', async () => {
    const tar = put(
      'two.tar',
      createTar([
        ['a.bin', new Uint8Array(600)],
        ['b.bin', new Uint8Array(600)],
      ]),
    );
    await expect(extractTar(tar, join(dir, 'm'), { maxBytes: 1000 })).rejects.toThrow(
      `${tar}: entry 'b.bin' takes the extracted size past the limit of 1000 bytes (maxBytes)`,
    );
    expect((await extractTar(tar, join(dir, 'm2'), { maxBytes: 1200 })).length).toBe(2);
    const clash = put(
      'clash.tar',
      createTar([
        ['d/x', Buffer.from('1')],
        ['d', Buffer.from('2')],
      ]),
    );
    await expect(extractTar(clash, join(dir, 'c'))).rejects.toThrow(
      new RegExp(`clash\\.tar: entry 'd': cannot create it under ${join(dir, 'c')} \\(EISDIR`),
    );
  });
});
