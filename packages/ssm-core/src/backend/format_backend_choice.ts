import type { BackendChoice } from './select_backend.js';
import { formatAdapter } from './webgpu_adapter.js';

/**
 * One line naming the backend a run used, with the WebGPU adapter where there is one: for logs,
 * run manifests and perf reports.
 *
 * @param choice - what {@link selectBackend} returned (or its `name` and `adapter`)
 * @returns e.g. `"wasm"`, `"webgpu on nvidia NVIDIA H200 (hopper, hardware, Dawn)"`
 * @example
 * console.log(`backend: ${formatBackendChoice(await selectBackend())}`);
 * @category Backend
 */
export function formatBackendChoice(choice: Pick<BackendChoice, 'name' | 'adapter'>): string {
  return choice.adapter ? `${choice.name} on ${formatAdapter(choice.adapter)}` : choice.name;
}
