/**
 * CRC-32 (IEEE 802.3, the zlib polynomial) for checkpoint integrity checks.
 *
 * @module
 */

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of bytes, continuing from a previous value.
 *
 * @param bytes - data
 * @param previous - running CRC (0 to start)
 * @returns the CRC as an unsigned 32-bit integer
 * @example
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * @category Checkpoint
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = crcTable();
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
