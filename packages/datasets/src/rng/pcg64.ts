/**
 * PCG64 (XSL-RR 128/64), bit-exact with `numpy.random.PCG64`, and the {@link Rng} methods built on it
 * with numpy `Generator` semantics.
 *
 * **Details**
 * The 128-bit LCG state is kept as eight 16-bit limbs so the multiply is exact in float64 arithmetic
 * (no BigInt on the hot path). Seeding follows numpy: `SeedSequence(seed).generate_state(4, uint64)`
 * gives (seed_hi, seed_lo, inc_hi, inc_lo); `state = 0; inc = (initseq << 1) | 1; step; state += seed; step`.
 * Each 64-bit output advances the state first, then returns `rotr64(hi ^ lo, state >> 122)`.
 * `nextUint32` hands out the low then the high half of one 64-bit draw (numpy's `has_uint32` buffer).
 *
 * @module
 */
import { type SeedEntropy, SeedSequence } from './seed_sequence.js';

/**
 * A seeded random generator (the only source of randomness in `@mamba-cl/datasets`).
 *
 * @category Random
 */
export interface Rng {
  /** Uniform uint32 (numpy `next_uint32`, buffered halves of a 64-bit draw). */
  nextUint32(): number;
  /** Uniform uint64 as a bigint (numpy `next_uint64`). */
  nextUint64(): bigint;
  /** Uniform double in [0, 1) with 53 random bits (numpy `next_double`, `Generator.random()`). */
  nextFloat64(): number;
  /** Integer in [lo, hi) (numpy `Generator.integers(lo, hi)`, Lemire's method). */
  integers(lo: number, hi: number): number;
  /** Double in [lo, hi) (numpy `Generator.uniform(lo, hi)` = lo + (hi - lo)·random()). */
  uniform(lo: number, hi: number): number;
  /** Integer in [0, max] inclusive (numpy `random_bounded_uint64(bitgen, 0, max, 0, 0)`, Lemire). */
  boundedUint(max: number): number;
  /** Integer in [0, max] inclusive by masked rejection (numpy `random_interval`, used by `shuffle`). */
  intervalUint(max: number): number;
  /** Shuffles in place exactly like numpy `Generator.shuffle` on a 1-D array (Fisher–Yates, i = n−1…1, j = intervalUint(i)). */
  shuffle<T>(items: T[]): T[];
}

// PCG_DEFAULT_MULTIPLIER_128 = 0x2360ED051FC65DA4_4385DF649FCCF645, 16-bit limbs, least significant first.
const MULT = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360];
const TWO16 = 65536;
const TWO32 = 4294967296;

function limbsFromWords(hiHi: number, hiLo: number, loHi: number, loLo: number): number[] {
  // four uint32 words, most significant first → 8 limbs, least significant first
  return [
    loLo & 0xffff,
    loLo >>> 16,
    loHi & 0xffff,
    loHi >>> 16,
    hiLo & 0xffff,
    hiLo >>> 16,
    hiHi & 0xffff,
    hiHi >>> 16,
  ];
}

/**
 * The PCG64 bit generator with numpy `Generator` helpers.
 *
 * **Details**
 * `Pcg64.fromSeed(seed)` equals `numpy.random.Generator(numpy.random.PCG64(seed))`; with a list
 * `[seed, epoch, index]` it equals `numpy.random.default_rng([seed, epoch, index])` (used to derive one
 * independent stream per sample).
 *
 * @example
 * const rng = Pcg64.fromSeed(2024);
 * const order = rng.shuffle(Array.from({ length: 100 }, (_, i) => i)); // = numpy's permutation
 * @category Random
 */
export class Pcg64 implements Rng {
  private readonly s: number[];
  private readonly inc: number[];
  private readonly prod = new Array<number>(8).fill(0);
  private hasUint32 = false;
  private uinteger = 0;
  private outHi = 0;
  private outLo = 0;

  private constructor(seedLimbs: number[], incLimbs: number[]) {
    // inc = (initseq << 1) | 1
    const inc = new Array<number>(8);
    let carry = 1;
    for (let k = 0; k < 8; k++) {
      const v = incLimbs[k] * 2 + carry;
      inc[k] = v & 0xffff;
      carry = v >>> 16;
    }
    this.inc = inc;
    this.s = new Array<number>(8).fill(0);
    this.step();
    carry = 0;
    for (let k = 0; k < 8; k++) {
      const v = this.s[k] + seedLimbs[k] + carry;
      this.s[k] = v & 0xffff;
      carry = v >>> 16;
    }
    this.step();
  }

  /**
   * Seeds like numpy `PCG64(seed)` (through `SeedSequence`).
   *
   * @param seed - a non-negative integer, bigint, or a list of them
   * @returns a fresh generator
   */
  static fromSeed(seed: SeedEntropy): Pcg64 {
    const w = new SeedSequence(seed).generateState(8);
    // uint64 words (little-endian pairs): v0 = w1:w0, v1 = w3:w2, v2 = w5:w4, v3 = w7:w6.
    // seed128 = v0 << 64 | v1; inc128 = v2 << 64 | v3.
    const seedLimbs = limbsFromWords(w[1], w[0], w[3], w[2]);
    const incLimbs = limbsFromWords(w[5], w[4], w[7], w[6]);
    return new Pcg64(seedLimbs, incLimbs);
  }

  /** state = state · MULT + inc (mod 2^128) */
  private step(): void {
    const s = this.s;
    const p = this.prod;
    for (let k = 0; k < 8; k++) {
      let acc = 0;
      for (let i = 0; i <= k; i++) acc += s[i] * MULT[k - i];
      p[k] = acc;
    }
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      const v = p[k] + this.inc[k] + carry;
      const hi = Math.floor(v / TWO16);
      s[k] = v - hi * TWO16;
      carry = hi;
    }
  }

  /** Advances and leaves the 64-bit output in outHi/outLo. */
  private next64(): void {
    this.step();
    const s = this.s;
    const xHi = (((s[7] << 16) | s[6]) ^ ((s[3] << 16) | s[2])) >>> 0;
    const xLo = (((s[5] << 16) | s[4]) ^ ((s[1] << 16) | s[0])) >>> 0;
    let rot = s[7] >>> 10;
    let hi = xHi;
    let lo = xLo;
    if (rot >= 32) {
      hi = xLo;
      lo = xHi;
      rot -= 32;
    }
    if (rot === 0) {
      this.outHi = hi;
      this.outLo = lo;
    } else {
      this.outHi = ((hi >>> rot) | (lo << (32 - rot))) >>> 0;
      this.outLo = ((lo >>> rot) | (hi << (32 - rot))) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    this.next64();
    this.hasUint32 = true;
    this.uinteger = this.outHi;
    return this.outLo;
  }

  nextUint64(): bigint {
    this.next64();
    return (BigInt(this.outHi) << 32n) | BigInt(this.outLo);
  }

  nextFloat64(): number {
    this.next64();
    // (next_uint64 >> 11) * 2^-53
    return (this.outHi * 2097152 + (this.outLo >>> 11)) / 9007199254740992;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextFloat64();
  }

  boundedUint(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(`boundedUint: max ${max} is not a non-negative safe integer`);
    }
    if (max === 0) return 0;
    if (max < 0xffffffff) return this.lemire32(max);
    if (max === 0xffffffff) return this.nextUint32();
    return Number(this.lemire64(BigInt(max)));
  }

  /** numpy buffered_bounded_lemire_uint32 with a fresh buffer: value in [0, rng]. */
  private lemire32(rng: number): number {
    const excl = rng + 1;
    let a = this.nextUint32();
    // m = a · excl as (high, leftover) 32-bit halves, exact
    let p1 = (a & 0xffff) * excl;
    let p2 = (a >>> 16) * excl;
    let t = (p2 % TWO16) * TWO16 + p1;
    let leftover = t % TWO32;
    let high = Math.floor(p2 / TWO16) + Math.floor(t / TWO32);
    if (leftover < excl) {
      const threshold = (0xffffffff - rng) % excl;
      while (leftover < threshold) {
        a = this.nextUint32();
        p1 = (a & 0xffff) * excl;
        p2 = (a >>> 16) * excl;
        t = (p2 % TWO16) * TWO16 + p1;
        leftover = t % TWO32;
        high = Math.floor(p2 / TWO16) + Math.floor(t / TWO32);
      }
    }
    return high;
  }

  /** numpy bounded_lemire_uint64: value in [0, rng] for rng > 0xffffffff. */
  private lemire64(rng: bigint): bigint {
    const mask64 = 0xffffffffffffffffn;
    const excl = rng + 1n;
    let m = this.nextUint64() * excl;
    let leftover = m & mask64;
    if (leftover < excl) {
      const threshold = (mask64 - rng) % excl;
      while (leftover < threshold) {
        m = this.nextUint64() * excl;
        leftover = m & mask64;
      }
    }
    return m >> 64n;
  }

  integers(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi <= lo) {
      throw new RangeError(`integers: expected safe integers with lo < hi, got [${lo}, ${hi})`);
    }
    return lo + this.boundedUint(hi - 1 - lo);
  }

  intervalUint(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(`intervalUint: max ${max} is not a non-negative safe integer`);
    }
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      let mask = max;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      let value: number;
      do {
        value = (this.nextUint32() & mask) >>> 0;
      } while (value > max);
      return value;
    }
    const big = BigInt(max);
    let mask = big;
    for (let sh = 1n; sh <= 32n; sh <<= 1n) mask |= mask >> sh;
    let value: bigint;
    do {
      value = this.nextUint64() & mask;
    } while (value > big);
    return Number(value);
  }

  shuffle<T>(items: T[]): T[] {
    // numpy Generator.shuffle (1-D ndarray path): for i in reversed(range(1, n)): j = random_interval(i).
    // Verified against numpy 2.4.6 (fixtures/class_orders.json); numpy's Lemire routine is NOT used here.
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.intervalUint(i);
      const tmp = items[j];
      items[j] = items[i];
      items[i] = tmp;
    }
    return items;
  }
}

/**
 * A generator seeded like `numpy.random.default_rng(seed)`.
 *
 * @param seed - integer, bigint or list of them (e.g. `[seed, epoch, index]` for a per-sample stream)
 * @returns a {@link Rng}
 * @example
 * const rng = createRng([2024, 0, 17]);
 * rng.nextFloat64();
 * @category Random
 */
export function createRng(seed: SeedEntropy): Rng {
  return Pcg64.fromSeed(seed);
}
