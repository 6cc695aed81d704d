import * as tf from '@tensorflow/tfjs-core';
import { CHUNKED_SCAN } from './chunked_scan.js';
import { FUSED_SCAN } from './fused_scan.js';
import { REFERENCE_SCAN } from './reference_scan.js';
import type { ScanImplementation } from './scan_types.js';

/**
 * The built-in selective-scan implementations, in registry order.
 *
 * @category Scan
 */
export const SCAN_IMPLEMENTATIONS: readonly ScanImplementation[] = [REFERENCE_SCAN, FUSED_SCAN, CHUNKED_SCAN];

/**
 * A lookup table of scan implementations built from a plain array.
 *
 * @category Scan
 */
export interface ScanRegistry {
  /** Ids in registration order. */
  readonly names: readonly string[];
  /**
   * The implementation registered under `name`.
   *
   * @throws `RangeError` naming the unknown id and listing the known ones
   */
  get(name: string): ScanImplementation;
}

/**
 * Builds a {@link ScanRegistry} from a plain array.
 *
 * **Details**
 * Ids must be unique: a duplicate throws. Asking for an unknown id throws a `RangeError` that
 * lists the known ids.
 *
 * @param implementations - the implementations, e.g. {@link SCAN_IMPLEMENTATIONS}
 * @returns the registry
 * @throws `Error` when two implementations share an id
 * @example
 * const registry = createScanRegistry([...SCAN_IMPLEMENTATIONS, myScan]);
 * registry.get('fused');
 * @category Scan
 */
export function createScanRegistry(implementations: readonly ScanImplementation[]): ScanRegistry {
  const byName = new Map<string, ScanImplementation>();
  for (const impl of implementations) {
    if (byName.has(impl.name)) {
      throw new Error(`scan registry: implementation id "${impl.name}" is registered twice`);
    }
    byName.set(impl.name, impl);
  }
  const names = [...byName.keys()];
  return {
    names,
    get(name: string): ScanImplementation {
      const found = byName.get(name);
      if (found === undefined) {
        throw new RangeError(`unknown selective-scan implementation "${name}"; known: ${names.join(', ')}`);
      }
      return found;
    },
  };
}

const BUILTIN_REGISTRY = createScanRegistry(SCAN_IMPLEMENTATIONS);

/** tfjs backends on which the fused kernel is registered (cpu/wasm: loops on the CPU; webgpu: WGSL programs). */
const FUSED_BACKENDS: readonly string[] = ['cpu', 'wasm', 'webgpu'];

/**
 * Which scan implementation `impl` means on a backend.
 *
 * **Details**
 * An explicit name wins. `'auto'` (or `undefined`) reads the environment variable
 * `MAMBA_CL_SCAN_IMPL` (a name or `auto`); failing that, it picks `fused` on the `cpu`, `wasm` and
 * `webgpu` backends (on webgpu the fused kernel is WGSL) and `chunked` elsewhere (`tensorflow`,
 * `webgl`: the scan stays on the device).
 *
 * @param impl - a registered name, `'auto'` or `undefined`
 * @param backend - tfjs backend name; default `tf.getBackend()`
 * @param env - environment to read `MAMBA_CL_SCAN_IMPL` from; default `process.env`
 * @returns the implementation
 * @throws `RangeError` for an unknown name (from the option or the environment), listing the known ones
 * @example
 * resolveScanImpl('auto', 'wasm').name; // 'fused'
 * @category Scan
 */
export function resolveScanImpl(
  impl?: string,
  backend: string = tf.getBackend(),
  env: Readonly<Record<string, string | undefined>> = typeof process !== 'undefined' ? process.env : {},
): ScanImplementation {
  if (impl !== undefined && impl !== 'auto') return BUILTIN_REGISTRY.get(impl);
  const fromEnv = env.MAMBA_CL_SCAN_IMPL?.trim();
  if (fromEnv !== undefined && fromEnv !== '' && fromEnv !== 'auto') {
    try {
      return BUILTIN_REGISTRY.get(fromEnv);
    } catch (err) {
      throw new RangeError(`MAMBA_CL_SCAN_IMPL: ${(err as Error).message}`);
    }
  }
  const wanted = FUSED_BACKENDS.includes(backend) ? 'fused' : 'chunked';
  return BUILTIN_REGISTRY.names.includes(wanted) ? BUILTIN_REGISTRY.get(wanted) : REFERENCE_SCAN;
}
