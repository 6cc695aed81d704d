/**
 * `@mamba-cl/ssm-core`: selective-scan kernels, Mamba layers, the De-focus vision Mamba backbone,
 * weights I/O and the backend chooser.
 *
 * @module
 */
export {
  BACKEND_NAMES,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  currentBackendChoice,
  NoBackendError,
  probeBackends,
  type SelectBackendOptions,
  selectBackend,
} from './backend.js';
// scan exports (engineer "scan")
export { CHUNKED_SCAN, chunkedScanCore, DEFAULT_SCAN_CHUNK } from './scan/chunked_scan.js';
export {
  FUSED_SCAN,
  FUSED_SCAN_BACKENDS,
  fusedScanCore,
  registerFusedScanKernels,
  SELECTIVE_SCAN_GRAD_KERNEL,
  SELECTIVE_SCAN_KERNEL,
} from './scan/fused_scan.js';
export { REFERENCE_SCAN, referenceScanCore } from './scan/reference_scan.js';
export type { ScanCore, ScanCoreGrads, ScanDims } from './scan/scan_core.js';
export { JS_SCAN_CORE } from './scan/scan_core_js.js';
export { activeScanCore } from './scan/scan_core_select.js';
export { createWasmScanCore } from './scan/scan_core_wasm.js';
export {
  createScanRegistry,
  resolveScanImpl,
  SCAN_IMPLEMENTATIONS,
  type ScanRegistry,
} from './scan/scan_registry.js';
export type {
  ScanImplementation,
  ScanImplName,
  SelectiveScanInputs,
  SelectiveScanOptions,
} from './scan/scan_types.js';
export { selectiveScan } from './scan/selective_scan.js';
// end scan exports
export { BASIC_PICKLE_GLOBALS } from './weights/pickle/basic_pickle_globals.js';
export {
  NUMPY_PICKLE_GLOBALS,
  ndarrayToTypedArray,
  PickledDtype,
  PickledNdarray,
} from './weights/pickle/numpy_pickle_globals.js';
export { PickleFormatError, PickleSecurityError } from './weights/pickle/pickle_errors.js';
export {
  PICKLE_STATE,
  type PickleGlobal,
  PickleGlobalRef,
  type Py2StringEncoding,
  type UnpickleOptions,
  unpickle,
} from './weights/pickle/unpickle.js';
