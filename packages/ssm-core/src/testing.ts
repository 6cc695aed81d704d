/**
 * Test helpers for code that runs on tfjs backends: sweep every available backend and compare
 * tensors with tolerances.
 *
 * This entry point needs `vitest` (≥ 2), an optional peer dependency: install it in the project
 * that runs the tests. The main entry point does not need it.
 *
 * @module
 */
export {
  type DescribeWithBackendsOptions,
  describeWithBackends,
  isBackendInstalled,
  type SweepEntry,
  sweepBackends,
  webgpuUnavailableReason,
} from './testing/describe_with_backends.js';
export {
  type CloseOptions,
  expectTensorsClose,
  expectTensorsCloseAsync,
  type NestedNumbers,
  type TensorLike,
} from './testing/expect_tensors_close.js';
export { maxRelativeDifference } from './testing/max_relative_difference.js';
