import { WeightsFormatError } from './weights_format_error.js';

/**
 * One stored (uncompressed) entry of a zip archive: a view into the archive bytes.
 *
 * @category Weights
 */
export interface ZipEntry {
  name: string;
  /** The entry's bytes (a subarray of the archive; no copy). */
  data: Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Lists the entries of a zip archive whose entries are stored uncompressed (what `torch.save`
 * writes), through the central directory, with zip64 support.
 *
 * **Details**
 * Checks the end-of-central-directory record, every central and local header signature, the
 * compression method (0 = stored; anything else is refused naming the entry) and that each entry
 * lies inside the file, every declared size and offset checked against the bytes present before it
 * is used. Nothing is decompressed or copied, so no archive can make it allocate beyond its own
 * size. CRCs are not verified. Errors name the source, the entry and the problem.
 *
 * @param bytes - the whole archive
 * @param source - file name for error messages
 * @returns name → entry, in central-directory order
 * @throws WeightsFormatError for a truncated or malformed archive or a compressed entry
 * @example
 * const entries = readZip(readFileSync('model.pth'), 'model.pth');
 * @category Weights
 */
export function readZip(bytes: Uint8Array, source = '<zip>'): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  const bad = (msg: string): never => {
    throw new WeightsFormatError(`${source}: ${msg}`);
  };
  if (n < 22) bad(`not a zip archive: ${n} bytes, shorter than an end-of-central-directory record (22)`);
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad('not a zip archive (or truncated): no end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== EOCD64_LOCATOR)
      bad('zip64 fields but no zip64 end-of-central-directory locator');
    const rec = Number(view.getBigUint64(loc + 8, true));
    if (rec + 56 > n || view.getUint32(rec, true) !== EOCD64)
      bad(`zip64 end-of-central-directory record missing at byte ${rec}`);
    count = Number(view.getBigUint64(rec + 32, true));
    cdSize = Number(view.getBigUint64(rec + 40, true));
    cdOffset = Number(view.getBigUint64(rec + 48, true));
  }
  if (cdOffset + cdSize > n)
    bad(
      `central directory [${cdOffset}, ${cdOffset + cdSize}) lies beyond the end of the file (${n} bytes): truncated`,
    );
  const entries = new Map<string, ZipEntry>();
  const dec = new TextDecoder();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > n || view.getUint32(p, true) !== CENTRAL)
      bad(`central directory entry ${i} at byte ${p}: bad signature`);
    const method = view.getUint16(p + 10, true);
    let csize = view.getUint32(p + 20, true);
    let usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > n) bad(`central directory entry ${i}: truncated`);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 0xffffffff fields, in order usize, csize, offset
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const fieldEnd = Math.min(e + 4 + len, eEnd);
        const u64 = (what: string): number => {
          if (q + 8 > fieldEnd) bad(`entry '${name}': zip64 extra field too short for the ${what}`);
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = u64('size');
        if (csize === 0xffffffff) csize = u64('compressed size');
        if (local === 0xffffffff) local = u64('local header offset');
      }
      e += 4 + len;
    }
    if (method !== 0)
      bad(`entry '${name}' uses compression method ${method}; only stored entries (method 0) are supported`);
    if (csize !== usize) bad(`entry '${name}': stored entry with compressed size ${csize} ≠ size ${usize}`);
    if (local + 30 > n || view.getUint32(local, true) !== LOCAL)
      bad(`entry '${name}': no local header at byte ${local}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + usize > n) {
      bad(
        `entry '${name}': data [${start}, ${start + usize}) extends beyond the end of the file (${n} bytes): truncated`,
      );
    }
    entries.set(name, { name, data: bytes.subarray(start, start + usize) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
