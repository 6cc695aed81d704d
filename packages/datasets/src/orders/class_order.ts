import { Pcg64 } from '../rng/pcg64.js';
import type { SeedEntropy } from '../rng/seed_sequence.js';

/**
 * The class order of the official code: `numpy.random.Generator(PCG64(seed)).shuffle(arange(n))`.
 *
 * **Details**
 * Spec §5: all class ids in ascending order are shuffled once; the result reshaped row-major to
 * [T, C/T] gives the tasks. The port is bit-exact with numpy ≥ 1.17 (PCG64 + SeedSequence + the
 * masked-rejection `random_interval` that `Generator.shuffle` draws j ∈ [0, i] with, i = n−1 … 1);
 * the committed fixtures (numpy 2.4.6) also match numpy 1.24.2.
 *
 * @param numClasses - number of classes C (≥ 0)
 * @param seed - the seed (2024 in the official scripts)
 * @returns a permutation of 0..C−1
 * @example
 * classOrder(100, 2024).slice(0, 3); // [55, 17, 75]
 * @category Orders
 */
export function classOrder(numClasses: number, seed: SeedEntropy): number[] {
  if (!Number.isSafeInteger(numClasses) || numClasses < 0) {
    throw new RangeError(`classOrder: numClasses must be a non-negative integer, got ${numClasses}`);
  }
  const ids = Array.from({ length: numClasses }, (_, i) => i);
  return Pcg64.fromSeed(seed).shuffle(ids);
}
