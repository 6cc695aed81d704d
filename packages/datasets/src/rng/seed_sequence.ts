/**
 * numpy's `SeedSequence` (NEP 19 entropy mixing), as used by `numpy.random.default_rng(seed)` and
 * `Generator(PCG64(seed))`.
 *
 * **Details**
 * The entropy (a non-negative integer, or a list of them) is split into little-endian 32-bit words,
 * hashed into a 4-word pool (`mix_entropy`) and then stretched into any number of output words
 * (`generate_state`). Every step is uint32 arithmetic, reproduced here with `Math.imul`.
 *
 * @module
 */

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

/**
 * Entropy accepted by {@link SeedSequence}: a non-negative safe integer, a bigint, or a list of them.
 *
 * @category Random
 */
export type SeedEntropy = number | bigint | ReadonlyArray<number | bigint>;

function intToWords(value: number | bigint, out: number[]): void {
  let n: bigint;
  if (typeof value === 'bigint') {
    n = value;
  } else {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `SeedSequence: seed ${value} is not a safe integer (use a bigint for larger seeds)`,
      );
    }
    n = BigInt(value);
  }
  if (n < 0n)
    throw new RangeError(`SeedSequence: seed ${value} is negative, expected a non-negative integer`);
  if (n === 0n) {
    out.push(0);
    return;
  }
  while (n > 0n) {
    out.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
}

/**
 * Converts entropy to numpy's uint32 word array (`_coerce_to_uint32_array`): an integer becomes its
 * little-endian 32-bit words (0 → `[0]`); a list concatenates the words of its elements.
 *
 * @param entropy - seed integer(s)
 * @returns the uint32 words, least significant first
 * @example
 * entropyToWords(2 ** 32 + 5); // [5, 1]
 * @category Random
 */
export function entropyToWords(entropy: SeedEntropy): number[] {
  const words: number[] = [];
  if (Array.isArray(entropy)) {
    for (const v of entropy as ReadonlyArray<number | bigint>) intToWords(v, words);
  } else {
    intToWords(entropy as number | bigint, words);
  }
  return words;
}

function hashmix(value: number, hashConst: { v: number }): number {
  value = (value ^ hashConst.v) >>> 0;
  hashConst.v = Math.imul(hashConst.v, MULT_A) >>> 0;
  value = Math.imul(value, hashConst.v) >>> 0;
  value = (value ^ (value >>> XSHIFT)) >>> 0;
  return value;
}

function mix(x: number, y: number): number {
  let result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  result = (result ^ (result >>> XSHIFT)) >>> 0;
  return result;
}

/**
 * A port of `numpy.random.SeedSequence` without spawn keys.
 *
 * **Details**
 * `new SeedSequence(seed).generateState(n)` returns exactly the words of numpy's
 * `SeedSequence(seed).generate_state(n, np.uint32)`.
 *
 * @example
 * const words = new SeedSequence(2024).generateState(8);
 * @category Random
 */
export class SeedSequence {
  /** The mixed entropy pool (4 uint32 words). */
  readonly pool: Uint32Array;

  /**
   * @param entropy - the seed (integer, bigint, or list of them)
   */
  constructor(entropy: SeedEntropy) {
    const words = entropyToWords(entropy);
    const mixer = new Uint32Array(POOL_SIZE);
    const hashConst = { v: INIT_A };
    for (let i = 0; i < POOL_SIZE; i++) {
      mixer[i] = hashmix(i < words.length ? words[i] : 0, hashConst);
    }
    for (let src = 0; src < POOL_SIZE; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) {
        if (src !== dst) mixer[dst] = mix(mixer[dst], hashmix(mixer[src], hashConst));
      }
    }
    for (let src = POOL_SIZE; src < words.length; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) {
        mixer[dst] = mix(mixer[dst], hashmix(words[src], hashConst));
      }
    }
    this.pool = mixer;
  }

  /**
   * numpy's `generate_state(nWords, np.uint32)`.
   *
   * @param nWords - number of uint32 words
   * @returns the words (view pairs as little-endian uint64 for numpy's `np.uint64` variant)
   */
  generateState(nWords: number): Uint32Array {
    const out = new Uint32Array(nWords);
    let hashConst = INIT_B;
    for (let i = 0; i < nWords; i++) {
      let v = (this.pool[i % POOL_SIZE] ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      v = Math.imul(v, hashConst) >>> 0;
      v = (v ^ (v >>> XSHIFT)) >>> 0;
      out[i] = v;
    }
    return out;
  }
}
