/**
 * `@mamba-cl/datasets`: class-incremental data for Mamba-CL — sources (CIFAR-100, ImageNet-R,
 * DomainNet, MNIST, Fashion-MNIST), numpy-exact class orders, task splits, transforms and batching.
 *
 * @module
 */

export { classOrder } from './orders/class_order.js';
// rng/ and orders/ (engineer "sources")
export { createRng, Pcg64, type Rng } from './rng/pcg64.js';
export { entropyToWords, type SeedEntropy, SeedSequence } from './rng/seed_sequence.js';
