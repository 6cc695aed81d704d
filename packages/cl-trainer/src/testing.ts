/**
 * Test helpers of `@mamba-cl/cl-trainer`: the Strategy conformance suite, a tiny Mamba-like
 * backbone and a synthetic class-incremental stream.
 *
 * This entry point needs `vitest` (≥ 2), an optional peer dependency: install it in the project
 * that runs the suite (`npm install -D vitest`); without it, importing
 * `@mamba-cl/cl-trainer/testing` fails with `Cannot find package 'vitest'`. The main entry point
 * does not need it.
 *
 * @module
 */
export {
  runStrategyConformance,
  type StrategyConformanceOptions,
} from './testing/strategy_conformance.js';
export { type SyntheticStreamOptions, syntheticStream } from './testing/synthetic_stream.js';
export { TINY_MAMBA_CONFIG, TinyMambaBackbone, type TinyMambaConfig } from './testing/tiny_mamba_backbone.js';
