import * as tf from '@tensorflow/tfjs-core';
import { type BackendLoader, DEFAULT_BACKEND_LOADERS } from './backend_loaders.js';
import {
  BACKEND_NAMES,
  BACKEND_PACKAGE,
  type BackendName,
  parseBackendList,
  TFJS_BACKEND_NAME,
} from './backend_names.js';
import { type BackendAttempt, NoBackendError } from './no_backend_error.js';
import type { WebGpuAdapterInfo } from './webgpu_adapter.js';
import { formatAdapter } from './webgpu_adapter.js';
import { currentWebGpuAdapter, resetWebGpuStateForTests } from './webgpu_loader.js';

/**
 * Options of {@link selectBackend}.
 *
 * @category Backend
 */
export interface SelectBackendOptions {
  /** Replace the loader of some backends (tests fake the native packages this way). */
  readonly loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** Environment to read `MAMBA_CL_BACKEND` from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The result of {@link selectBackend}: which backend runs, and what happened to each one tried.
 *
 * @category Backend
 */
export interface BackendChoice {
  /** The backend now active. */
  readonly name: BackendName;
  /** Its tfjs-core name (`tf.getBackend()`). */
  readonly tfjsName: string;
  /** Where the order came from. */
  readonly source: 'argument' | 'MAMBA_CL_BACKEND' | 'default';
  /** Every backend tried, in order, with the reason it was skipped or chosen. */
  readonly attempts: readonly BackendAttempt[];
  /** For `webgpu`: the adapter it runs on (vendor, architecture, software or hardware). */
  readonly adapter?: WebGpuAdapterInfo;
}

/** Which native package (if any) this process has loaded: both register the tfjs name `tensorflow`. */
let nativeLoadedBy: 'tensorflow-gpu' | 'tensorflow' | undefined;
let lastChoice: BackendChoice | undefined;

/** @internal Forget which native package was loaded; only for tests that fake loaders. */
export function resetBackendStateForTests(): void {
  nativeLoadedBy = undefined;
  lastChoice = undefined;
  resetWebGpuStateForTests();
}

/**
 * The choice made by the last successful {@link selectBackend} call, or `undefined`.
 *
 * @category Backend
 */
export function currentBackendChoice(): BackendChoice | undefined {
  return lastChoice;
}

function describeOk(name: BackendName): string {
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    return `active (${BACKEND_PACKAGE[name]}${simd ? ', SIMD' : ''})`;
  }
  if (name === 'webgpu') {
    const adapter = currentWebGpuAdapter();
    return `active (${BACKEND_PACKAGE[name]}${adapter ? ` on ${formatAdapter(adapter)}` : ''})`;
  }
  return `active (${BACKEND_PACKAGE[name]})`;
}

async function tryOne(name: BackendName, loader: BackendLoader, explicit: boolean): Promise<BackendAttempt> {
  const tfjsName = TFJS_BACKEND_NAME[name];
  const isNative = name === 'tensorflow-gpu' || name === 'tensorflow';
  if (isNative && nativeLoadedBy !== undefined && nativeLoadedBy !== name) {
    return {
      name,
      ok: false,
      reason: `skipped: ${BACKEND_PACKAGE[nativeLoadedBy]} is already loaded and owns the tfjs backend name "tensorflow"; the two native packages are never loaded together`,
    };
  }
  try {
    if (!(isNative && nativeLoadedBy === name)) await loader({ explicit });
    if (isNative) nativeLoadedBy = name;
    if (tf.findBackendFactory(tfjsName) === null) {
      return {
        name,
        ok: false,
        reason: `${BACKEND_PACKAGE[name]} loaded but registered no "${tfjsName}" backend`,
      };
    }
    const ok = await tf.setBackend(tfjsName);
    if (!ok) return { name, ok: false, reason: `tf.setBackend("${tfjsName}") could not initialise it` };
    await tf.ready();
    if (name === 'cpu') {
      // The cpu backend prints a banner recommending tfjs-node on its first write under Node; the
      // attempts list already says why the native backends were skipped, so silence it.
      const backend = tf.backend() as unknown as { firstUse?: boolean };
      if (backend.firstUse === true) backend.firstUse = false;
    }
    const adapter = name === 'webgpu' ? currentWebGpuAdapter() : undefined;
    return { name, ok: true, reason: describeOk(name), ...(adapter ? { adapter } : {}) };
  } catch (err) {
    // A skipped WebGPU adapter (WebGpuAdapterSkippedError, possibly from another copy of ssm-core) carries its description.
    const adapter = (err as { adapter?: WebGpuAdapterInfo } | null)?.adapter;
    return {
      name,
      ok: false,
      reason: err instanceof Error ? err.message : String(err),
      ...(adapter !== undefined ? { adapter } : {}),
    };
  }
}

/** Whether a preference means the default order (`auto` or empty). */
function isAutoSpec(spec: string | readonly string[] | undefined): boolean {
  const text = (typeof spec === 'string' ? spec : (spec ?? []).join(',')).trim().toLowerCase();
  return text === '' || text === 'auto';
}

/**
 * Picks and activates the compute backend. The only place in mamba-cl that calls `tf.setBackend`.
 *
 * **Details**
 * Tries, in order, `tensorflow-gpu` → `tensorflow` → `webgpu` → `wasm` → `cpu`, and activates the
 * first that loads; through `auto`, `webgpu` counts only on a hardware adapter (a software one, such
 * as lavapipe, is taken when `webgpu` is named). The order can be replaced by the `preference` argument, or else by the environment
 * variable `MAMBA_CL_BACKEND` (a name, a comma-separated list, or `auto`). Naming a single backend
 * forces it: there is no silent fall-back. The two native packages both register the tfjs name
 * `tensorflow`, so once one of them is loaded the other is never imported. The wasm binaries are
 * located from the installed `@tensorflow/tfjs-backend-wasm`, whatever the working directory.
 * Switching backends in one process works (cpu → webgpu → wasm …), but under Node a tensor that has
 * been used on `webgpu` cannot then be used by an op on another backend (tfjs moves it with a
 * synchronous read, which tfjs-backend-webgpu does only through `OffscreenCanvas`); `await
 * tensor.data()` still reads it. The report names the WebGPU adapter
 * ({@link BackendChoice.adapter}, and {@link BackendAttempt.adapter} for one that was skipped).
 *
 * @param preference - a backend name, a list, `"auto"`, or `undefined` to use `MAMBA_CL_BACKEND`
 * @param options - loaders to fake and the environment to read
 * @returns the backend now active and why each other candidate was skipped
 * @throws {@link NoBackendError} listing every backend tried and why it failed
 * @throws `RangeError` for an unknown backend name, listing the valid ones
 * @example
 * const choice = await selectBackend();          // wasm on a machine without tfjs-node
 * console.log(choice.name, choice.attempts);
 * await selectBackend('cpu');                     // force the plain JS backend
 * @category Backend
 */
export async function selectBackend(
  preference?: string | readonly string[],
  options: SelectBackendOptions = {},
): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  let order: BackendName[];
  let source: BackendChoice['source'];
  if (preference !== undefined) {
    order = parseBackendList(
      typeof preference === 'string' ? preference : preference.join(','),
      'selectBackend',
    );
    source = 'argument';
  } else if (env.MAMBA_CL_BACKEND !== undefined && env.MAMBA_CL_BACKEND.trim() !== '') {
    order = parseBackendList(env.MAMBA_CL_BACKEND, 'MAMBA_CL_BACKEND');
    source = 'MAMBA_CL_BACKEND';
  } else {
    order = [...BACKEND_NAMES];
    source = 'default';
  }
  // `auto` (or the default order) reaches backends implicitly: a software WebGPU adapter is skipped then.
  const explicit = source !== 'default' && !isAutoSpec(preference ?? env.MAMBA_CL_BACKEND);
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const loader = options.loaders?.[name] ?? DEFAULT_BACKEND_LOADERS[name];
    const attempt = await tryOne(name, loader, explicit);
    attempts.push(attempt);
    if (attempt.ok) {
      lastChoice = {
        name,
        tfjsName: TFJS_BACKEND_NAME[name],
        source,
        attempts,
        ...(attempt.adapter ? { adapter: attempt.adapter } : {}),
      };
      return lastChoice;
    }
  }
  throw new NoBackendError(attempts);
}

/**
 * Names of the backends that can be activated in this process, probing each without leaving it
 * active (the previously active backend is restored).
 *
 * **Details**
 * Each backend is tried as `auto` would try it, so a software WebGPU adapter shows as skipped, with
 * the adapter in {@link BackendAttempt.adapter}. The backend active before the probe (if any) is
 * active again afterwards, and {@link currentBackendChoice} is unchanged; when none was active, the
 * last one that loaded (normally `cpu`) stays active.
 *
 * @param options - loaders to fake
 * @returns every attempt in the default order
 * @category Backend
 */
export async function probeBackends(options: SelectBackendOptions = {}): Promise<BackendAttempt[]> {
  const previous: string | undefined = tf.getBackend() ?? undefined;
  const out: BackendAttempt[] = [];
  for (const name of BACKEND_NAMES) {
    out.push(await tryOne(name, options.loaders?.[name] ?? DEFAULT_BACKEND_LOADERS[name], false));
  }
  if (previous !== undefined && tf.getBackend() !== previous) await tf.setBackend(previous);
  return out;
}
