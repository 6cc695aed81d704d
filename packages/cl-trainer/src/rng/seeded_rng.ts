/**
 * A small seeded pseudo-random generator whose whole state is one 32-bit integer, so that it can be
 * saved in checkpoints and restored bit-exactly.
 *
 * @module
 */

function mix32(h: number, v: number): number {
  let x = (h ^ v) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Mulberry32 generator with a derivable seed.
 *
 * **Details**
 * `next()` returns floats in [0, 1) with 32 random bits. {@link SeededRng.derive} mixes a seed with
 * integer or string keys (e.g. `derive(seed, 'head', task)`), so that every consumer gets an
 * independent stream that does not depend on how much the others drew: a resumed run draws the same
 * numbers as an uninterrupted one.
 *
 * @example
 * const rng = SeededRng.derive(2024, 'head', 3);
 * const u = rng.uniform(-1, 1);
 * @category Random
 */
export class SeededRng {
  private s: number;

  /** @param seed - any integer (taken modulo 2^32) */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /**
   * A generator seeded from a base seed and keys.
   *
   * @param seed - base seed
   * @param keys - strings or integers identifying the consumer
   * @returns an independent generator
   */
  static derive(seed: number, ...keys: (string | number)[]): SeededRng {
    let h = mix32(0x9e3779b9, seed >>> 0);
    for (const k of keys) {
      if (typeof k === 'number') h = mix32(h, k >>> 0);
      else for (let i = 0; i < k.length; i++) h = mix32(h, k.charCodeAt(i));
      h = mix32(h, 0x27d4eb2f);
    }
    return new SeededRng(h);
  }

  /** The next float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** The whole state (for checkpoints). */
  get state(): number {
    return this.s;
  }

  set state(value: number) {
    this.s = value >>> 0;
  }
}
