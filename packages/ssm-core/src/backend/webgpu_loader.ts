import { createRequire } from 'node:module';
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

interface GlobalWithGpu {
  navigator?: { gpu?: GpuLike };
}

/** Gives Node a `navigator.gpu` from Dawn (npm `webgpu`), unless one exists (a browser, or done before). */
async function ensureNavigatorGpu(): Promise<{ gpu: GpuLike; runtime: WebGpuAdapterInfo['runtime'] }> {
  const g = globalThis as unknown as GlobalWithGpu;
  const existing = g.navigator?.gpu;
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (existing !== undefined) return { gpu: existing, runtime: isNode ? 'dawn' : 'browser' };
  if (!isNode) throw new Error('this browser has no navigator.gpu (WebGPU is not enabled)');
  try {
    require.resolve('webgpu');
  } catch {
    throw new Error(
      'webgpu (Dawn for Node) is not installed (optional peer: npm install webgpu @tensorflow/tfjs-backend-webgpu)',
    );
  }
  let dawn: { create(options: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`webgpu (Dawn) is installed but failed to load: ${first}`);
  }
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, … as globals, and the GPU from navigator.gpu.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
  return { gpu, runtime: 'dawn' };
}

/**
 * Loads the `webgpu` backend: `navigator.gpu` (the browser's, or Dawn's in Node), an adapter, then
 * `@tensorflow/tfjs-backend-webgpu`.
 *
 * **Details**
 * A software adapter (lavapipe, SwiftShader, WARP) is refused unless `acceptSoftware` is set, which
 * `selectBackend` does when `webgpu` is named explicitly rather than reached through `auto`: on a
 * machine without a GPU, `auto` keeps using wasm.
 *
 * @param options - `acceptSoftware`: use a software adapter too
 * @returns the adapter found
 * @throws `Error` naming what is missing (Dawn, an adapter) or the software adapter that was skipped
 * @category Backend
 */
export async function loadWebGpu(
  options: { readonly acceptSoftware?: boolean } = {},
): Promise<WebGpuAdapterInfo> {
  const { gpu, runtime } = await ensureNavigatorGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null || adapter === undefined) {
    throw new Error(
      runtime === 'dawn'
        ? 'Dawn found no WebGPU adapter (no Vulkan/Metal/D3D12 driver; on Linux without a GPU, Mesa >= 24 lavapipe gives a software one)'
        : 'navigator.gpu.requestAdapter() returned null',
    );
  }
  const info = describeAdapterInfo(adapter.info ?? {}, runtime, adapter.isFallbackAdapter === true);
  if (info.software && options.acceptSoftware !== true) {
    throw new Error(
      `skipped: the only WebGPU adapter is software (${formatAdapter(info)}); name the backend (MAMBA_CL_BACKEND=webgpu or --backend webgpu) to use it`,
    );
  }
  try {
    require.resolve('@tensorflow/tfjs-backend-webgpu');
  } catch {
    throw new Error(
      '@tensorflow/tfjs-backend-webgpu is not installed (optional peer: npm install @tensorflow/tfjs-backend-webgpu)',
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  lastAdapter = info;
  return info;
}
