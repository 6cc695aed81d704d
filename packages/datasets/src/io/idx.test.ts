import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './dataset_format_error.js';
import { readIdx, writeIdx } from './idx.js';

/**
 * A gzip bomb: `members` gzip members concatenated (gunzip reads them as one stream); the first
 * starts with `head`, each inflates to `memberBytes` zero bytes. 16 × 64 MiB = 1 GiB from about 1 MB.
 */
function gzipBomb(head: Uint8Array, memberBytes: number, members: number): Uint8Array {
  const zeros = new Uint8Array(memberBytes - head.length);
  const first = gzipSync(Buffer.concat([head, zeros]), { level: 9 });
  const rest = gzipSync(new Uint8Array(memberBytes), { level: 9 });
  return Buffer.concat([first, ...Array.from({ length: members - 1 }, () => rest)]);
}

describe('readIdx', () => {
  const labels = Uint8Array.of(3, 1, 4, 1, 5, 9, 2, 6, 5, 3);

  it('reads raw and gzipped files', () => {
    const raw = writeIdx([10], labels);
    for (const bytes of [raw, gzipSync(raw)]) {
      const idx = readIdx(bytes, 'l.idx', 1);
      expect(idx.dims).toEqual([10]);
      expect(Array.from(idx.data)).toEqual(Array.from(labels));
    }
    const images = writeIdx(
      [2, 3, 4],
      Uint8Array.from({ length: 24 }, (_, i) => i),
    );
    expect(readIdx(gzipSync(images), 'i.gz', 3).data[23]).toBe(23);
  });

  it('stops a gzip bomb at the size its header declares (10 labels, 1 GiB inflated)', () => {
    const bomb = gzipBomb(writeIdx([10], labels).subarray(0, 8), 64 * 2 ** 20, 16);
    expect(bomb.length).toBeLessThan(2 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readIdx(bomb, 'bomb-labels-idx1-ubyte.gz', 1)).toThrow(
      new DatasetFormatError(
        'bomb-labels-idx1-ubyte.gz: inflates to more than 18 bytes, but the header declares 18 (8-byte header + dims 10); stopped there',
      ),
    );
    // nothing near the inflated size was held (the cap is 18 bytes; allow for unrelated allocations)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 2 ** 20);
  });

  it('refuses declared sizes above maxBytes, or above what the bytes present can hold, before inflating', () => {
    const huge = writeIdx([60000, 60000, 60000], new Uint8Array(0));
    expect(() => readIdx(huge, 'huge', 3)).toThrow(
      /huge: header declares 216000000000000 bytes \(dims 60000×60000×60000\), more than the limit of 1073741824 \(maxBytes\)/,
    );
    expect(() => readIdx(gzipSync(huge), 'huge.gz', 3)).toThrow(/huge\.gz: header declares .*\(maxBytes\)/);
    expect(() => readIdx(writeIdx([10], labels), 'small', 1, { maxBytes: 9 })).toThrow(
      'small: header declares 10 bytes (dims 10), more than the limit of 9 (maxBytes)',
    );
    // 47 MB declared by a ~40-byte gzip file: more than deflate can expand to
    const short = gzipSync(writeIdx([60000, 28, 28], new Uint8Array(0)));
    expect(() => readIdx(short, 'short.gz', 3)).toThrow(
      /short\.gz: header declares 47040016 bytes \(16-byte header \+ dims 60000×28×28\), more than a \d+-byte gzip file can hold: truncated/,
    );
    expect(() => readIdx(writeIdx([60000, 28, 28], new Uint8Array(5)), 'raw', 3)).toThrow(
      'raw: payload is 5 bytes, expected 47040000 (dims 60000×28×28)',
    );
  });

  it('names the file on truncated or corrupt gzip and short headers', () => {
    const gz = gzipSync(writeIdx([10], labels));
    expect(() => readIdx(gz.subarray(0, gz.length - 12), 'cut.gz', 1)).toThrow(
      /cut\.gz: gzip data is corrupt/,
    );
    expect(() => readIdx(gzipSync(Uint8Array.of(0, 0, 8, 3, 0)), 'h.gz', 3)).toThrow(
      'h.gz: header truncated (5 bytes (inflated), 3 dimensions need 16)',
    );
    expect(() => readIdx(gzipSync(writeIdx([10], labels).subarray(0, 12)), 'few.gz', 1)).toThrow(
      'few.gz: inflates to 12 bytes, but the header declares 18 (8-byte header + dims 10)',
    );
    expect(() => readIdx(Uint8Array.of(0, 0), 'tiny', 1)).toThrow(
      'tiny: 2 bytes, too short for an IDX header',
    );
    expect(() => readIdx(Uint8Array.of(0x1f, 0x8b, 0), 'g', 1)).toThrow(DatasetFormatError);
  });
});
