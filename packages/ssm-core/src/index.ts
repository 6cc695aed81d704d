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
