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
  formatBackendChoice,
  NoBackendError,
  probeBackends,
  type SelectBackendOptions,
  selectBackend,
  type WebGpuAdapterInfo,
} from './backend.js';
export { causalConv1d } from './layers/causal_conv1d.js';
export {
  type DefocusMixerOptions,
  type DefocusMixerParams,
  defocusMixer,
  type MixerTaps,
} from './layers/defocus_mixer.js';
export { groupRmsNorm } from './layers/group_rms_norm.js';
export { layerNorm } from './layers/layer_norm.js';
export { linear } from './layers/linear.js';
export { mambaBlock } from './layers/mamba_block.js';
export { patchEmbed } from './layers/patch_embed.js';
export { rmsNorm } from './layers/rms_norm.js';
export { ropeRotate } from './layers/rope_rotate.js';
export { callScan, type MixerScanImpl } from './layers/scan_call.js';
export {
  MODEL_PRESETS,
  type ModelPresetName,
  type VisionMambaConfig,
  validateConfig,
} from './model/model_config.js';
export { parameterShapes } from './model/parameter_shapes.js';
export { SeededRandom } from './model/seeded_random.js';
export {
  type LoadStateDictResult,
  type StateDictEntry,
  VisionMamba,
  type VisionMambaCreateOptions,
} from './model/vision_mamba.js';
export { CONV_SILU_GRAD_KERNEL, CONV_SILU_KERNEL, convSilu, convSiluSupported } from './ops/conv_silu.js';
export {
  FUSED_SSM_GRAD_KERNEL,
  FUSED_SSM_KERNEL,
  type FusedSsmOptions,
  type FusedSsmParams,
  fusedSsm,
  fusedSsmSupported,
} from './ops/fused_ssm.js';
export { MATMUL_NN_KERNEL, matMulNN } from './ops/matmul_nn.js';
export { MATMUL_NT_KERNEL, matMulNT } from './ops/matmul_nt.js';
export { MATMUL_TN_KERNEL, matMulTN } from './ops/matmul_tn.js';
export {
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  rmsNormKernel,
  rmsNormKernelSupported,
} from './ops/rms_norm_kernel.js';
export { WASM_KERNEL_BACKENDS, wasmKernelsActive } from './ops/wasm_kernels.js';
export type { ClassifierHead } from './parallel/classifier_head.js';
export {
  DataParallelClassifier,
  type DataParallelClassifierOptions,
  type LossAndGrads,
} from './parallel/data_parallel_classifier.js';
export { DataParallelWorkerError } from './parallel/data_parallel_worker_error.js';
export { shardSizes } from './parallel/shard_sizes.js';
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
export { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './weights/half_float.js';
export { type MappedCheckpoint, mapOfficialCheckpoint } from './weights/official_checkpoint.js';
export { BASIC_PICKLE_GLOBALS } from './weights/pickle/basic_pickle_globals.js';
export { CODECS_ENCODE_LATIN1 } from './weights/pickle/codecs_encode_global.js';
export {
  NUMPY_PICKLE_GLOBALS,
  ndarrayToTypedArray,
  PickledDtype,
  PickledNdarray,
} from './weights/pickle/numpy_pickle_globals.js';
export { PickleFormatError, PickleLimitError, PickleSecurityError } from './weights/pickle/pickle_errors.js';
export {
  DEFAULT_UNPICKLE_LIMITS,
  PICKLE_STATE,
  type PickleGlobal,
  PickleGlobalRef,
  type Py2StringEncoding,
  type UnpickleLimits,
  type UnpickleOptions,
  unpickle,
} from './weights/pickle/unpickle.js';
export {
  DEFAULT_MAX_SAFETENSORS_HEADER_BYTES,
  type ReadSafetensorsOptions,
  readSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
  writeSafetensors,
} from './weights/safetensors.js';
export {
  DEFAULT_MAX_TENSOR_BYTES,
  INERT_CHECKPOINT_GLOBALS,
  type ReadTorchCheckpointOptions,
  readTorchCheckpoint,
  type TorchDtype,
  type TorchTensor,
} from './weights/torch_checkpoint.js';
export { WeightsFormatError } from './weights/weights_format_error.js';
export { readZip, type ZipEntry } from './weights/zip_reader.js';
