import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from './crc32c.js';
import { TfEventsWriter } from './tfevents_writer.js';

// An independent reader, written from the TFRecord and protobuf specs: a bitwise CRC-32C (no
// table), a generic protobuf field decoder, and the tensorflow.Event / Summary field numbers.
function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

function readRecords(buf: Uint8Array): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < buf.length) {
    const len = Number(view.getBigUint64(p, true));
    expect(view.getUint32(p + 8, true), `length CRC of record ${out.length}`).toBe(
      mask(bitwiseCrc32c(buf.subarray(p, p + 8))),
    );
    const data = buf.subarray(p + 12, p + 12 + len);
    expect(view.getUint32(p + 12 + len, true), `data CRC of record ${out.length}`).toBe(
      mask(bitwiseCrc32c(data)),
    );
    out.push(data);
    p += 16 + len;
  }
  expect(p).toBe(buf.length);
  return out;
}

type Field = { field: number; wire: number; value: bigint | Uint8Array };
function decodeFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const x = b[p++];
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (p < b.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    const take = (n: number): Uint8Array => {
      const v = b.slice(p, p + n);
      p += n;
      return v;
    };
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: take(8) });
    else if (wire === 5) out.push({ field, wire, value: take(4) });
    else if (wire === 2) out.push({ field, wire, value: take(Number(varint())) });
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const f64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getFloat64(0, true);
const f32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getFloat32(0, true);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

interface Decoded {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: [string, number][];
}
function decodeEvent(b: Uint8Array): Decoded {
  const e: Decoded = { wallTime: Number.NaN, step: 0, values: [] };
  for (const f of decodeFields(b)) {
    if (f.field === 1 && f.wire === 1) e.wallTime = f64(f.value as Uint8Array);
    else if (f.field === 2 && f.wire === 0) e.step = Number(f.value);
    else if (f.field === 3 && f.wire === 2) e.fileVersion = str(f.value as Uint8Array);
    else if (f.field === 5 && f.wire === 2) {
      for (const v of decodeFields(f.value as Uint8Array)) {
        expect(v.field).toBe(1);
        let tag = '';
        let value = Number.NaN;
        for (const x of decodeFields(v.value as Uint8Array)) {
          if (x.field === 1) tag = str(x.value as Uint8Array);
          if (x.field === 2 && x.wire === 5) value = f32(x.value as Uint8Array);
        }
        e.values.push([tag, value]);
      }
    } else throw new Error(`unexpected Event field ${f.field}/${f.wire}`);
  }
  return e;
}

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(here, '../../fixtures/tfevents/golden.tfevents');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tfevents-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('TfEventsWriter', () => {
  it('computes CRC-32C (test vector) and agrees with a bitwise implementation', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32c(bytes)).toBe(0xe3069283);
    const rnd = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    expect(crc32c(rnd)).toBe(bitwiseCrc32c(rnd));
    expect(maskedCrc32c(rnd)).toBe(mask(bitwiseCrc32c(rnd)));
  });

  it('writes the bytes of the golden file made by scripts/make_tfevents_golden.py', () => {
    const dir = tmp();
    const w = new TfEventsWriter(dir, () => 1700000000500);
    w.scalars(1, { 'train/loss': 0.6875, 'train/lr': 0.0002 });
    w.scalars(300, { 'eval/accuracy': 87.5, 'eval/accuracy_task_1': 90.25 });
    expect(readdirSync(dir)[0]).toMatch(/^events\.out\.tfevents\.1700000000\./);
    expect(Buffer.from(readFileSync(w.path)).equals(readFileSync(GOLDEN))).toBe(true);
  });

  it('reads back with the independent reader: version record, steps, tags and float32 values', () => {
    const dir = tmp();
    let t = 1000;
    const w = new TfEventsWriter(dir, () => (t += 500));
    w.scalars(0, { 'train/loss': 2.5 });
    w.scalars(2 ** 40, { 'train/loss': 1e-3, 'train/lr': 2e-4 });
    w.scalars(7, {}); // nothing written
    const events = readRecords(new Uint8Array(readFileSync(w.path))).map(decodeEvent);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0, wallTime: 1.5 });
    expect(events[1]).toMatchObject({ step: 0, wallTime: 2, values: [['train/loss', 2.5]] });
    expect(events[2].step).toBe(2 ** 40);
    expect(events[2].values.map(([k]) => k)).toEqual(['train/loss', 'train/lr']);
    expect(events[2].values[0][1]).toBeCloseTo(1e-3, 9);
    expect(events[2].values[1][1]).toBe(Math.fround(2e-4));
  });

  it('checks the golden file itself with the independent reader', () => {
    const events = readRecords(new Uint8Array(readFileSync(GOLDEN))).map(decodeEvent);
    expect(events.map((e) => e.step)).toEqual([0, 1, 300]);
    expect(events[2].values).toEqual([
      ['eval/accuracy', 87.5],
      ['eval/accuracy_task_1', 90.25],
    ]);
  });
});
