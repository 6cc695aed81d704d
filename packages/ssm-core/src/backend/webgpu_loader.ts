import { createRequire } from 'node:module';
import type { BackendLoader } from './backend_loaders.js';
import {
  describeAdapterInfo,
  formatAdapter,
  type GpuLike,
  type WebGpuAdapterInfo,
} from './webgpu_adapter.js';

const require = createRequire(import.meta.url);

/** The adapter found by the last {@link loadWebGpu} call that got one. */
let lastAdapter: WebGpuAdapterInfo | undefined;

/**
 * The adapter the `webgpu` backend runs on, once it has been loaded, or `undefined`.
 *
 * @category Backend
 */
export function currentWebGpuAdapter(): WebGpuAdapterInfo | undefined {
  return lastAdapter;
}

/** @internal Forget the adapter found; only for tests. */
export function resetWebGpuStateForTests(): void {
  lastAdapter = undefined;
}

/** What npm `webgpu` (Dawn for Node) exports and the loader uses. */
export interface DawnModule {
  create(options: string[]): GpuLike;
  readonly globals: Record<string, unknown>;
}

/**
 * @internal What {@link loadWebGpu} reaches outside itself; tests replace each part with a fake.
 */
export interface WebGpuHooks {
  /** The platform's `navigator.gpu`, if any (default: `globalThis.navigator?.gpu`). */
  readonly navigatorGpu: () => GpuLike | undefined;
  /** Whether this is Node (Dawn can be loaded) rather than a browser. */
  readonly isNode: boolean;
  /** Imports Dawn, or rejects with a readable reason (not installed, failed to load). */
  readonly importDawn: () => Promise<DawnModule>;
  /** Installs `gpu` as `navigator.gpu` and Dawn's globals (`GPUBufferUsage`, …) on `globalThis`. */
  readonly installDawn: (dawn: DawnModule, gpu: GpuLike) => void;
  /** Imports `@tensorflow/tfjs-backend-webgpu` (registers the tfjs backend `webgpu`), or rejects with a reason. */
  readonly importBackend: () => Promise<void>;
}

/** Where the `navigator.gpu` this module installed from Dawn is remembered (shared by every copy of the module). */
const DAWN_GPU = Symbol.for('@mamba-cl/ssm-core:dawn-gpu');

interface GlobalWithGpu {
  navigator?: { gpu?: GpuLike };
  [DAWN_GPU]?: GpuLike;
}

/** The first line of an error's message. */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/**
 * Gives `globalThis` a `navigator.gpu`. Node 20 has no `navigator`; Node 21+ has one (a lazy
 * getter on `globalThis` returning a `Navigator` without `gpu`), which is kept and given a `gpu`.
 */
function installDawnGlobals(dawn: DawnModule, gpu: GpuLike): void {
  const g = globalThis as unknown as GlobalWithGpu;
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, … as globals, and the GPU from navigator.gpu.
  Object.assign(globalThis, dawn.globals);
  const nav = g.navigator;
  if (nav === undefined || nav === null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true, enumerable: true });
  }
  g[DAWN_GPU] = gpu;
}

/**
 * @internal Imports an optional peer, turning failures into one readable reason.
 *
 * @param pkg - the package to import
 * @param label - how the reason names it, e.g. `"webgpu (Dawn for Node)"`
 * @param install - what to `npm install` when it is absent
 * @param load - the import itself, written as a literal `import('…')` so that bundlers see it
 */
export async function importOptionalPeer<T>(
  pkg: string,
  label: string,
  install: string,
  load: () => Promise<unknown>,
): Promise<T> {
  try {
    require.resolve(pkg);
  } catch {
    throw new Error(`${label} is not installed (optional peer: npm install ${install})`);
  }
  try {
    return (await load()) as T;
  } catch (err) {
    throw new Error(`${label} is installed but failed to load: ${firstLine(err)}`);
  }
}

/** The real hooks. */
export const DEFAULT_WEBGPU_HOOKS: WebGpuHooks = {
  navigatorGpu: () => (globalThis as unknown as GlobalWithGpu).navigator?.gpu ?? undefined,
  isNode: typeof process !== 'undefined' && process.versions?.node !== undefined,
  importDawn: () =>
    importOptionalPeer<DawnModule>(
      'webgpu',
      'webgpu (Dawn for Node)',
      'webgpu @tensorflow/tfjs-backend-webgpu',
      () => import('webgpu'),
    ),
  installDawn: installDawnGlobals,
  importBackend: async () => {
    await importOptionalPeer(
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-webgpu',
      () => import('@tensorflow/tfjs-backend-webgpu'),
    );
  },
};

/** `navigator.gpu`: the platform's own, or Dawn's, installed on first use in Node. */
async function ensureNavigatorGpu(
  hooks: WebGpuHooks,
): Promise<{ gpu: GpuLike; runtime: WebGpuAdapterInfo['runtime'] }> {
  const existing = hooks.navigatorGpu();
  if (existing !== undefined) {
    // Ours (this or another copy of ssm-core installed Dawn), else the platform's: a browser, Deno, or a
    // Dawn the application installed itself before (Node has no WebGPU of its own).
    const ours = (globalThis as unknown as GlobalWithGpu)[DAWN_GPU] === existing;
    const isDeno = 'Deno' in globalThis;
    return { gpu: existing, runtime: ours || (hooks.isNode && !isDeno) ? 'dawn' : 'browser' };
  }
  if (!hooks.isNode)
    throw new Error('this browser has no navigator.gpu (WebGPU is not supported or not enabled)');
  const dawn = await hooks.importDawn();
  const gpu = dawn.create([]);
  hooks.installDawn(dawn, gpu);
  return { gpu, runtime: 'dawn' };
}

/**
 * The error {@link loadWebGpu} throws for an adapter it found but will not use (a software one,
 * reached through `auto`); it carries the adapter, so reports can name it.
 *
 * @category Backend
 */
export class WebGpuAdapterSkippedError extends Error {
  override readonly name = 'WebGpuAdapterSkippedError';
  /** The adapter found and skipped. */
  readonly adapter: WebGpuAdapterInfo;

  constructor(message: string, adapter: WebGpuAdapterInfo) {
    super(message);
    this.adapter = adapter;
  }
}

/**
 * Options of {@link loadWebGpu}.
 *
 * @category Backend
 */
export interface LoadWebGpuOptions {
  /** Use a software adapter (lavapipe, SwiftShader, WARP) too; default `false`. */
  readonly acceptSoftware?: boolean;
  /** @internal Replace what the loader reaches outside itself (tests). */
  readonly hooks?: Partial<WebGpuHooks>;
}

/**
 * Loads the `webgpu` backend: `navigator.gpu` (the browser's, or Dawn's in Node), an adapter, then
 * `@tensorflow/tfjs-backend-webgpu`.
 *
 * **Details**
 * In Node, npm `webgpu` (Dawn) is imported on first use and installed as `navigator.gpu` with its
 * globals (`GPUBufferUsage`, …); Node 21+'s own `navigator` is kept and given a `gpu`. A software
 * adapter (lavapipe, SwiftShader, WARP) is refused with a {@link WebGpuAdapterSkippedError} unless
 * `acceptSoftware` is set, which `selectBackend` does when `webgpu` is named explicitly rather than
 * reached through `auto`: on a machine without a GPU, `auto` keeps using wasm. The backend is
 * registered here, not activated (`selectBackend` activates it).
 *
 * @param options - `acceptSoftware`: use a software adapter too
 * @returns the adapter found
 * @throws `Error` naming what is missing (Dawn, an adapter, the tfjs backend package)
 * @throws {@link WebGpuAdapterSkippedError} for a software adapter without `acceptSoftware`
 * @example
 * const adapter = await loadWebGpu({ acceptSoftware: true });
 * console.log(formatAdapter(adapter)); // "mesa llvmpipe: Mesa 25.0.7 … (software, Dawn)"
 * @category Backend
 */
export async function loadWebGpu(options: LoadWebGpuOptions = {}): Promise<WebGpuAdapterInfo> {
  const info = await findWebGpuAdapter(options);
  await { ...DEFAULT_WEBGPU_HOOKS, ...options.hooks }.importBackend();
  lastAdapter = info;
  return info;
}

/**
 * The adapter {@link loadWebGpu} would use, found the same way, without loading
 * `@tensorflow/tfjs-backend-webgpu` (which, once imported, becomes tfjs-core's default backend for
 * code that selects none): for probes such as a test suite's "is there a WebGPU adapter here?".
 *
 * **Details**
 * In Node, installs Dawn's `navigator.gpu` as `loadWebGpu` does (a later `loadWebGpu` reuses it).
 *
 * @param options - `acceptSoftware`: count a software adapter too
 * @returns the adapter found
 * @throws the same errors as {@link loadWebGpu}, except for a missing tfjs backend package
 * @example
 * const reason = await findWebGpuAdapter({ acceptSoftware: true }).then(() => undefined, (e) => e.message);
 * @category Backend
 */
export async function findWebGpuAdapter(options: LoadWebGpuOptions = {}): Promise<WebGpuAdapterInfo> {
  const hooks: WebGpuHooks = { ...DEFAULT_WEBGPU_HOOKS, ...options.hooks };
  const { gpu, runtime } = await ensureNavigatorGpu(hooks);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null || adapter === undefined) {
    throw new Error(
      runtime === 'dawn'
        ? 'Dawn found no WebGPU adapter (no usable Vulkan/Metal/D3D12 driver; on Linux without a GPU, Mesa >= 24 lavapipe gives a software one)'
        : 'navigator.gpu.requestAdapter() found no adapter (WebGPU blocked or unsupported on this device)',
    );
  }
  const info = describeAdapterInfo(adapter.info ?? {}, runtime, adapter.isFallbackAdapter === true);
  if (info.software && options.acceptSoftware !== true) {
    throw new WebGpuAdapterSkippedError(
      `skipped by auto: the only WebGPU adapter is software (${formatAdapter(info)}); name the backend (MAMBA_CL_BACKEND=webgpu or --backend webgpu) to use it`,
      info,
    );
  }
  return info;
}

/**
 * @internal The `webgpu` entry of the default loaders: a software adapter only when named explicitly.
 */
export function webGpuBackendLoader(hooks?: Partial<WebGpuHooks>): BackendLoader {
  return async (context) => {
    await loadWebGpu({ acceptSoftware: context?.explicit === true, ...(hooks ? { hooks } : {}) });
  };
}
