/**
 * Backend choice: the one place in mamba-cl that activates a tfjs backend.
 *
 * @module
 */
export {
  type BackendLoadContext,
  type BackendLoader,
  DEFAULT_BACKEND_LOADERS,
  wasmBinaryDir,
} from './backend/backend_loaders.js';
export {
  BACKEND_NAMES,
  BACKEND_PACKAGE,
  type BackendName,
  isBackendName,
  parseBackendList,
  TFJS_BACKEND_NAME,
} from './backend/backend_names.js';
export { formatBackendChoice } from './backend/format_backend_choice.js';
export { type BackendAttempt, NoBackendError } from './backend/no_backend_error.js';
export {
  type BackendChoice,
  currentBackendChoice,
  probeBackends,
  type SelectBackendOptions,
  selectBackend,
} from './backend/select_backend.js';
export {
  type AdapterInfoLike,
  describeAdapterInfo,
  formatAdapter,
  type WebGpuAdapterInfo,
} from './backend/webgpu_adapter.js';
export {
  currentWebGpuAdapter,
  findWebGpuAdapter,
  type LoadWebGpuOptions,
  loadWebGpu,
  WebGpuAdapterSkippedError,
} from './backend/webgpu_loader.js';
