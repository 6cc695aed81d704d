/**
 * Test-only helpers: the synthetic images of scripts/make_transform_fixtures.py and its fixture reader.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ImageRecord } from '../image/image_record.js';

function hash8(a: number, b: number, c: number, d: number): number {
  let h =
    (Math.imul(a, 0x9e3779b1) +
      Math.imul(b, 0x85ebca77) +
      Math.imul(c, 0xc2b2ae3d) +
      Math.imul(d, 0x27d4eb2f)) >>>
    0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h & 255;
}

/** `synth(h, w, c, seed)` of the fixture script, bit for bit. */
export function synthImage(height: number, width: number, channels: 1 | 3, seed: number): ImageRecord {
  const px = new Uint8Array(height * width * channels);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < channels; ch++) {
        let v =
          ((x >> 3) + (y >> 3)) & 1
            ? hash8(Math.floor(x / 3), Math.floor(y / 3), ch, seed)
            : (x * 5 + y * 3 + ch * 40 + seed * 17) & 255;
        if (hash8(x, y, ch + 7, seed) === 0) v = 255 - v;
        px[o++] = v;
      }
    }
  }
  return { width, height, channels, pixels: px };
}

/** Directory of the committed transform fixtures. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/transforms');

/** One case of fixtures/transforms/cases.json. */
export interface FixtureCase {
  name: string;
  input: { height: number; width: number; channels: 1 | 3; seed: number };
  op: string;
  params: Record<string, unknown>;
  output: { height: number; width: number; channels: 1 | 3; dtype: 'uint8' | 'float32' };
  file: string;
}

/** The parsed cases.json. */
export interface FixtureIndex {
  pillow: string;
  torchvision: string | null;
  autoaugmentMagnitudes: Record<string, Record<string, number[]>>;
  cases: FixtureCase[];
  decode: Array<{
    file: string;
    mode: string;
    height: number;
    width: number;
    channels: 1 | 3;
    expected: string;
  }>;
}

let index: FixtureIndex | undefined;
/** Reads cases.json once. */
export function fixtureIndex(): FixtureIndex {
  index ??= JSON.parse(readFileSync(join(FIXTURE_DIR, 'cases.json'), 'utf8')) as FixtureIndex;
  return index;
}

/** Cases whose op is `op`. */
export function fixtureCases(op: string): FixtureCase[] {
  return fixtureIndex().cases.filter((c) => c.op === op);
}

/** The input image of a case. */
export function caseInput(c: FixtureCase): ImageRecord {
  const i = c.input;
  return synthImage(i.height, i.width, i.channels, i.seed);
}

/** Gunzipped bytes of a fixture file (path relative to fixtures/transforms). */
export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(FIXTURE_DIR, file))));
}

/** The expected uint8 output of a case. */
export function caseExpected(c: FixtureCase): Uint8Array {
  return fixtureBytes(c.file);
}

/** Compares two byte images: max absolute difference and the count of differing values. */
export function compareBytes(a: Uint8Array, b: Uint8Array): { maxDiff: number; differing: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d > 0) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { maxDiff, differing };
}
