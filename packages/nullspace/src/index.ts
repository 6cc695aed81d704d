/**
 * `@mamba-cl/nullspace`: the numerics of null-space continual learning (spec §3): covariance
 * accumulation with the official semantics, a fast symmetric eigensolver, threshold policies
 * (the official adaptive elbow rule, bit-exact with scipy), projectors and projector stores.
 *
 * @module
 */

export {
  type AccumulationMode,
  CovarianceAccumulator,
  type CovarianceAccumulatorOptions,
} from './covariance/covariance_accumulator.js';
export { addGram } from './covariance/gram.js';
export { type EigenDecomposer, setDefaultEigenDecomposer } from './eigen/default_decomposer.js';
export {
  type EigenDecomposition,
  type EigenVectorsRequest,
  eigenDecompose,
  type SymmetricEigenOptions,
  type SymmetricEigenResult,
  type SymmetricEigenSolver,
  symmetricEigen,
} from './eigen/symmetric_eigen.js';
export {
  type BuildProjectorOptions,
  buildProjector,
  type FactoredProjector,
  type ProjectorNormalization,
  type ProjectorResult,
} from './projector/build_projector.js';
export {
  type FactoredProjectorTensors,
  projectUpdate,
  projectUpdateFactored,
} from './projector/project_update.js';
export { DiskMatrixStore, type DiskMatrixStoreOptions } from './store/disk_matrix_store.js';
export { InMemoryMatrixStore } from './store/in_memory_matrix_store.js';
export type {
  CovarianceStore,
  MatrixStore,
  ProjectorStore,
  StoredMatrix,
} from './store/matrix_store.js';
export { adaptiveThreshold } from './threshold/adaptive_threshold.js';
export { gaussianFilter1d } from './threshold/gaussian_filter1d.js';
export { nullSpaceStart, type ThresholdPolicy } from './threshold/threshold_policy.js';
