import { DatasetFormatError } from './dataset_format_error.js';

/**
 * Scans every number in a JSON text into bytes, without building JS arrays (about 20× faster than
 * `JSON.parse` on the `mnist` / `fashion-mnist` package files).
 *
 * **Details**
 * Only non-negative decimal numbers are expected (`12`, `0.624`, `1`); each is multiplied by `scale`
 * and rounded to the nearest integer in 0..255. Keys and other tokens are skipped; a number inside a
 * quoted string would be counted, so use it only on files whose strings hold no digits.
 *
 * @param input - the JSON bytes (UTF-8)
 * @param scale - multiplier before rounding (255 for values stored as v/255, 1 for integers)
 * @param name - file name for error messages
 * @returns the values in order of appearance
 * @example
 * scanJsonBytes(Buffer.from('{"data":[0,0.5,1]}'), 255, 'x.json'); // Uint8Array [0, 128, 255]
 * @category IO
 */
export function scanJsonBytes(input: Uint8Array, scale: number, name: string): Uint8Array {
  // a plain Uint8Array view (indexing a Buffer subclass is slower in V8)
  const text = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  let out = new Uint8Array(Math.max(1024, text.length >> 1));
  let n = 0;
  let inString = false;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      i++;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      i++;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      let v = 0;
      while (i < len && text[i] >= 0x30 && text[i] <= 0x39) {
        v = v * 10 + (text[i] - 0x30);
        i++;
      }
      if (i < len && text[i] === 0x2e) {
        i++;
        let f = 0.1;
        while (i < len && text[i] >= 0x30 && text[i] <= 0x39) {
          v += (text[i] - 0x30) * f;
          f *= 0.1;
          i++;
        }
      }
      if (i < len && (text[i] === 0x65 || text[i] === 0x45)) {
        throw new DatasetFormatError(`${name}: exponent notation at byte ${i} is not supported`);
      }
      const q = Math.round(v * scale);
      if (q < 0 || q > 255) {
        throw new DatasetFormatError(`${name}: value ${v} at byte ${i} scales to ${q}, expected 0..255`);
      }
      if (n === out.length) {
        const bigger = new Uint8Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[n++] = q;
      continue;
    }
    if (c === 0x2d) throw new DatasetFormatError(`${name}: negative number at byte ${i}, expected 0..255`);
    i++;
  }
  return out.slice(0, n);
}
