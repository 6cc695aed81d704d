/**
 * Test helpers of `@mamba-cl/cl-trainer`: the Strategy conformance suite, a tiny Mamba-like
 * backbone and a synthetic class-incremental stream.
 *
 * @module
 */
export {
  runStrategyConformance,
  type StrategyConformanceOptions,
} from './testing/strategy_conformance.js';
export { type SyntheticStreamOptions, syntheticStream } from './testing/synthetic_stream.js';
export { TINY_MAMBA_CONFIG, TinyMambaBackbone, type TinyMambaConfig } from './testing/tiny_mamba_backbone.js';
