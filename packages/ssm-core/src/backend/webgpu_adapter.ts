/**
 * What the WebGPU adapter behind the `webgpu` backend is: read from `GPUAdapter.info`.
 *
 * @category Backend
 */
export interface WebGpuAdapterInfo {
  /** Where `navigator.gpu` came from: the browser's own, or Dawn for Node (npm `webgpu`). */
  readonly runtime: 'browser' | 'dawn';
  /** `GPUAdapterInfo.vendor`, e.g. `"nvidia"`, `"mesa"` (may be empty). */
  readonly vendor: string;
  /** `GPUAdapterInfo.architecture`, e.g. `"hopper"`, `"software"` (may be empty). */
  readonly architecture: string;
  /** `GPUAdapterInfo.device` (may be empty). */
  readonly device: string;
  /** `GPUAdapterInfo.description`, e.g. `"llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)"` (may be empty). */
  readonly description: string;
  /** True for a CPU implementation (lavapipe, SwiftShader, WARP, or `isFallbackAdapter`). */
  readonly software: boolean;
}

/**
 * The parts of `GPUAdapterInfo` that {@link describeAdapterInfo} reads (Dawn and browsers both provide them).
 *
 * @category Backend
 */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** The parts of `GPU` / `GPUAdapter` used here. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<{
    readonly info?: AdapterInfoLike;
    readonly isFallbackAdapter?: boolean;
  } | null>;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b/i;

/**
 * Describes an adapter from its `GPUAdapterInfo`.
 *
 * @param info - the adapter's `info`
 * @param runtime - where `navigator.gpu` came from
 * @param isFallbackAdapter - the older `GPUAdapter.isFallbackAdapter` flag, where present
 * @returns the description, with `software` decided from the fallback flag, the architecture and the names
 * @category Backend
 */
export function describeAdapterInfo(
  info: AdapterInfoLike,
  runtime: WebGpuAdapterInfo['runtime'],
  isFallbackAdapter = false,
): WebGpuAdapterInfo {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const software =
    isFallbackAdapter ||
    info.isFallbackAdapter === true ||
    architecture.toLowerCase() === 'software' ||
    SOFTWARE_NAMES.test(`${description} ${device}`);
  return { runtime, vendor, architecture, device, description, software };
}

/**
 * One line naming an adapter, for backend reports.
 *
 * @param a - the adapter
 * @returns e.g. `"mesa llvmpipe: Mesa 25.0.7 (software, Dawn)"`
 * @category Backend
 */
export function formatAdapter(a: WebGpuAdapterInfo): string {
  const name =
    [a.vendor, a.description || a.device].filter((s) => s.length > 0).join(' ') || 'unnamed adapter';
  const arch = a.architecture && a.architecture !== 'software' ? `${a.architecture}, ` : '';
  return `${name} (${arch}${a.software ? 'software' : 'hardware'}, ${a.runtime === 'dawn' ? 'Dawn' : 'browser'})`;
}
