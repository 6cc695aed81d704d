import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendName } from './backend_names.js';
import { webGpuBackendLoader } from './webgpu_loader.js';

/**
 * What `selectBackend` tells a loader.
 *
 * @category Backend
 */
export interface BackendLoadContext {
  /** The backend was named explicitly (an argument, `MAMBA_CL_BACKEND`), not reached through `auto`. */
  readonly explicit: boolean;
}

/**
 * Loads (imports and registers with tfjs-core) one backend. Resolves when the backend is
 * registered; rejects with the reason it cannot be used.
 *
 * @category Backend
 */
export type BackendLoader = (context?: BackendLoadContext) => Promise<void>;

const require = createRequire(import.meta.url);

/** Whether `pkg` can be resolved from ssm-core's location. */
function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Imports an optional native backend package, turning failures into one readable reason. */
async function importNative(pkg: string): Promise<void> {
  if (!isInstalled(pkg)) throw new Error(`${pkg} is not installed (optional; see the README's GPU section)`);
  try {
    await import(pkg);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`${pkg} is installed but failed to load: ${first}`);
  }
}

/**
 * Directory holding the `.wasm` binaries of `@tensorflow/tfjs-backend-wasm`, found from the
 * installed package (independent of the working directory). Ends with a path separator.
 *
 * @category Backend
 */
export function wasmBinaryDir(): string {
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist') + path.sep;
}

/**
 * The real loaders, one per backend. Each uses a dynamic `import()`, so a backend package that is
 * absent costs nothing and fails with a readable reason.
 *
 * @category Backend
 */
export const DEFAULT_BACKEND_LOADERS: Readonly<Record<BackendName, BackendLoader>> = {
  'tensorflow-gpu': () => importNative('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => importNative('@tensorflow/tfjs-node'),
  webgpu: webGpuBackendLoader(),
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
  },
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};
