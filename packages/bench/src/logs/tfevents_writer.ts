/**
 * A small TensorBoard event-file writer: scalar summaries in TFRecord framing.
 *
 * **Details**
 * No maintained Node writer fits (tfjs-node's needs the native TensorFlow), so the format is
 * written by hand. A file is a sequence of records `uint64 length (LE) · uint32 masked_crc32c(length)
 * · data · uint32 masked_crc32c(data)`; each `data` is a `tensorflow.Event` protobuf: `wall_time`
 * (field 1, double), `step` (2, int64), `file_version` (3, string, first record "brain.Event:2")
 * or `summary` (5) holding `Summary.Value`s (1) with `tag` (1, string) and `simple_value`
 * (2, float). The file name is `events.out.tfevents.<seconds>.<host>` so TensorBoard finds it.
 *
 * @module
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { maskedCrc32c } from './crc32c.js';

/** Protobuf base-128 varint of a non-negative integer (< 2⁵³). */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(Math.trunc(n));
  if (v < 0n) v += 1n << 64n; // two's complement, as int64 fields encode negatives
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

/**
 * The protobuf bytes of one `tensorflow.Event`.
 *
 * @param event - wall time (s), step, and either a file version or scalar values by tag
 * @returns the serialised message
 * @category Logs
 */
export function encodeEvent(event: {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Readonly<Record<string, number>>;
}): Uint8Array {
  const out: number[] = [];
  const wall = new Uint8Array(8);
  new DataView(wall.buffer).setFloat64(0, event.wallTime, true);
  out.push(0x09, ...wall); // field 1, wire type 1 (64-bit)
  if (event.step !== 0) out.push(0x10, ...varint(event.step)); // field 2, varint
  if (event.fileVersion !== undefined) out.push(...lengthDelimited(3, utf8(event.fileVersion)));
  if (event.scalars !== undefined) {
    const summary: number[] = [];
    for (const [tag, v] of Object.entries(event.scalars)) {
      const f = new Uint8Array(4);
      new DataView(f.buffer).setFloat32(0, v, true);
      const value = [...lengthDelimited(1, utf8(tag)), 0x15, ...f]; // tag; simple_value (field 2, 32-bit)
      summary.push(...lengthDelimited(1, Uint8Array.from(value)));
    }
    out.push(...lengthDelimited(5, Uint8Array.from(summary)));
  }
  return Uint8Array.from(out);
}

/**
 * One TFRecord: length, its masked CRC, the data, the data's masked CRC.
 *
 * @param data - the record payload
 * @category Logs
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * Appends scalar summaries to one TensorBoard event file.
 *
 * @example
 * const w = new TfEventsWriter('runs/x/tensorboard/mamba-cl');
 * w.scalars(12, { 'train/loss': 0.7, 'train/lr': 2e-4 });
 * @category Logs
 */
export class TfEventsWriter {
  /** The event file. */
  readonly path: string;

  /**
   * Creates the folder and the file, with its `brain.Event:2` version record.
   *
   * @param dir - the folder (one per strategy: TensorBoard shows each folder as a run)
   * @param now - the clock, in ms (tests pass a fixed one)
   */
  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true });
    const t = this.now() / 1000;
    this.path = join(dir, `events.out.tfevents.${Math.floor(t)}.${hostname().replace(/[^\w.-]/g, '_')}`);
    writeFileSync(this.path, tfRecord(encodeEvent({ wallTime: t, step: 0, fileVersion: 'brain.Event:2' })));
  }

  /**
   * Writes scalars at a step (one Event holding one Value per tag).
   *
   * @param step - the global step (x axis)
   * @param values - tag → value; non-finite values are written as they are (TensorBoard shows them)
   */
  scalars(step: number, values: Readonly<Record<string, number>>): void {
    if (Object.keys(values).length === 0) return;
    appendFileSync(this.path, tfRecord(encodeEvent({ wallTime: this.now() / 1000, step, scalars: values })));
  }
}
