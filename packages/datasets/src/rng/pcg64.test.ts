import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng, Pcg64 } from './pcg64.js';
import { entropyToWords, SeedSequence } from './seed_sequence.js';

interface Streams {
  seed: string;
  raw64: string[];
  uint32: number[];
  doubles: number[];
  integers: [number, number][];
  uniform: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/class_orders.json', import.meta.url), 'utf8'),
) as { streams: Streams[]; derived: { entropy: number[]; doubles: number[] }[] };

describe('SeedSequence', () => {
  it('splits integers into little-endian uint32 words like numpy', () => {
    expect(entropyToWords(0)).toEqual([0]);
    expect(entropyToWords(2 ** 32 + 5)).toEqual([5, 1]);
    expect(entropyToWords([7, 2n ** 64n])).toEqual([7, 0, 0, 1]);
    expect(() => entropyToWords(-1)).toThrow(/negative/);
    expect(() => entropyToWords(1.5)).toThrow(/safe integer/);
  });
  it('is deterministic and seed-sensitive', () => {
    expect(new SeedSequence(1).generateState(4)).toEqual(new SeedSequence(1).generateState(4));
    expect(new SeedSequence(1).generateState(4)).not.toEqual(new SeedSequence(2).generateState(4));
  });
});

describe('Pcg64 matches numpy PCG64 bit for bit', () => {
  for (const s of fixture.streams) {
    it(`seed ${s.seed}`, () => {
      const seed = BigInt(s.seed);
      const raw = Pcg64.fromSeed(seed);
      expect(s.raw64.map(() => raw.nextUint64().toString())).toEqual(s.raw64);
      const u = Pcg64.fromSeed(seed);
      expect(s.uint32.map(() => u.nextUint32())).toEqual(s.uint32);
      const d = Pcg64.fromSeed(seed);
      expect(s.doubles.map(() => d.nextFloat64())).toEqual(s.doubles);
      const g = Pcg64.fromSeed(seed);
      expect(s.integers.map(([bound]) => [bound, g.integers(0, bound)])).toEqual(s.integers);
      const un = Pcg64.fromSeed(seed);
      expect(s.uniform.map(() => un.uniform(-2.5, 7.0))).toEqual(s.uniform);
    });
  }
  it('derives per-sample streams like default_rng([seed, epoch, index])', () => {
    for (const d of fixture.derived) {
      const rng = createRng(d.entropy);
      expect(d.doubles.map(() => rng.nextFloat64())).toEqual(d.doubles);
    }
  });
  it('rejects bad bounds', () => {
    const r = Pcg64.fromSeed(0);
    expect(() => r.integers(3, 3)).toThrow(/lo < hi/);
    expect(() => r.boundedUint(-1)).toThrow(/non-negative/);
    expect(r.intervalUint(0)).toBe(0);
  });
  it('intervalUint stays in range and covers it', () => {
    const r = Pcg64.fromSeed(5);
    const seen = new Set<number>();
    for (let k = 0; k < 2000; k++) {
      const v = r.intervalUint(6);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(6);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    const big = r.intervalUint(2 ** 40 + 3);
    expect(big).toBeLessThanOrEqual(2 ** 40 + 3);
  });
});
