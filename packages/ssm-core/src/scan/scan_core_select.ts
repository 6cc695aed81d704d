import type { ScanCore } from './scan_core.js';
import { JS_SCAN_CORE } from './scan_core_js.js';
import { createWasmScanCore } from './scan_core_wasm.js';

let cached: ScanCore | undefined;

/**
 * The core the fused kernels run: the WebAssembly SIMD core when this runtime can compile it
 * (compiled once, on first use), else the plain JS loops.
 *
 * @returns the core in use (`name` is `'wasm-simd'` or `'js'`)
 * @example
 * activeScanCore().name; // 'wasm-simd' on Node 20
 * @category Scan
 */
export function activeScanCore(): ScanCore {
  cached ??= createWasmScanCore(JS_SCAN_CORE) ?? JS_SCAN_CORE;
  return cached;
}
