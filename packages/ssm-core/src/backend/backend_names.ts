/**
 * The compute backends mamba-cl knows, in the order `selectBackend` tries them.
 *
 * **Details**
 * - `tensorflow-gpu`: `@tensorflow/tfjs-node-gpu` (CUDA; registers the tfjs backend name `tensorflow`).
 * - `tensorflow`: `@tensorflow/tfjs-node` (native CPU TensorFlow; also registers `tensorflow`).
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` on `navigator.gpu` (a browser's, or Dawn's in Node through
 *   the optional peer `webgpu`); `auto` takes it only on a hardware adapter.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (SIMD WebAssembly; always installed with ssm-core).
 * - `cpu`: `@tensorflow/tfjs-backend-cpu` (plain JavaScript; always installed with ssm-core).
 *
 * @category Backend
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/**
 * One of {@link BACKEND_NAMES}.
 *
 * @category Backend
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * The name under which each backend registers itself with tfjs-core (`tf.getBackend()`).
 *
 * @category Backend
 */
export const TFJS_BACKEND_NAME: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

/**
 * The npm package that provides each backend.
 *
 * @category Backend
 */
export const BACKEND_PACKAGE: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * Whether `name` is one of {@link BACKEND_NAMES}.
 *
 * @category Backend
 */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Parses a backend preference such as `"wasm"`, `"wasm,cpu"` or `"auto"` into an ordered list.
 *
 * **Details**
 * `auto` (or an empty string) means every backend in the default order. Names are trimmed and
 * lower-cased; an unknown name throws a `RangeError` that lists the valid ones and says where the
 * value came from.
 *
 * @param spec - the preference text
 * @param origin - where it came from, for the error message (e.g. `MAMBA_CL_BACKEND`)
 * @returns the backends to try, in order
 * @example
 * parseBackendList('wasm,cpu'); // ['wasm', 'cpu']
 * @category Backend
 */
export function parseBackendList(spec: string, origin = 'backend preference'): BackendName[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'auto')) return [...BACKEND_NAMES];
  const out: BackendName[] = [];
  for (const p of parts) {
    if (!isBackendName(p)) {
      throw new RangeError(
        `${origin}: unknown backend "${p}"; valid backends are ${BACKEND_NAMES.map((n) => `"${n}"`).join(', ')} or "auto"`,
      );
    }
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
