import type * as tf from '@tensorflow/tfjs-core';
import {
  scanBackwardLayout,
  scanBackwardProgram,
  scanForwardProgram,
  scanGatherProgram,
  WEBGPU_SCAN_MAX_STATE,
  type WebGpuProgramLike,
} from './webgpu_scan_programs.js';

/** What these kernels use of tfjs-backend-webgpu's `WebGPUBackend`. */
interface WebGpuBackendLike {
  runWebGPUProgram(
    program: WebGpuProgramLike,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: Array<{ type: string; data: number[] }>,
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  device: { limits: { maxStorageBufferBindingSize: number } };
}

/**
 * Whether the WGSL scan kernels accept this state size (every state of a channel in one workgroup).
 *
 * @param dState - N
 * @returns true for 1 ≤ N ≤ 128
 * @category Scan
 */
export function webGpuScanSupported(dState: number): boolean {
  return Number.isInteger(dState) && dState >= 1 && dState <= WEBGPU_SCAN_MAX_STATE;
}

function checkInputs(kernel: string, inputs: Record<string, tf.TensorInfo>): void {
  for (const [name, info] of Object.entries(inputs)) {
    if (info.dtype !== 'float32')
      throw new Error(`${kernel}: input ${name} has dtype ${info.dtype}, expected float32`);
  }
  const N = inputs.A.shape[1];
  if (!webGpuScanSupported(N)) {
    throw new Error(
      `${kernel}: the webgpu kernel holds at most ${WEBGPU_SCAN_MAX_STATE} states per channel, got dState ${N}; use impl 'chunked'`,
    );
  }
}

function shapeOf(x: tf.TensorInfo, A: tf.TensorInfo): [number, number, number, number] {
  return [x.shape[0], x.shape[1], x.shape[2], A.shape[1]];
}

/**
 * @internal The `webgpu` kernel function of the fused scan forward (`MambaSelectiveScan`): one
 * WGSL program, y [batch, seqLen, dInner].
 */
export const webGpuScanForward: tf.KernelFunc = ({ inputs, backend }) => {
  const ins = inputs as Record<string, tf.TensorInfo>;
  checkInputs('MambaSelectiveScan', ins);
  const { x, delta, A, B, C } = ins;
  const be = backend as unknown as WebGpuBackendLike;
  return be.runWebGPUProgram(scanForwardProgram(shapeOf(x, A)), [x, delta, A, B, C], 'float32');
};

let bindingLimitOverride: number | undefined;

/**
 * @internal Pretends the device's storage bindings hold at most `bytes` (so that tests can reach the
 * backward kernel's runs over batch slices); `undefined` restores the device's own limit.
 */
export function setWebGpuScanBindingLimitForTests(bytes: number | undefined): void {
  bindingLimitOverride = bytes;
}

/**
 * Batch rows per run of the backward program, so that its packed output fits one storage binding.
 */
function rowsPerRun(shape: readonly number[], maxBytes: number): number {
  const [batch, seqLen, dInner, dState] = shape;
  const perRow = scanBackwardLayout(1, seqLen, dInner, dState).total * 4;
  return Math.max(1, Math.min(batch, Math.floor(maxBytes / perRow)));
}

/**
 * @internal The `webgpu` kernel function of the fused scan backward (`MambaSelectiveScanGrad`):
 * [dx, ddelta, dA, dB, dC].
 *
 * **Details**
 * The backward program writes one packed buffer per run of batch rows (as many rows as fit one
 * storage binding); a small gather program copies dx and dΔ out and sums dA over rows and the
 * per-workgroup partials of dB and dC over channel groups, straight into the five outputs.
 */
export const webGpuScanBackward: tf.KernelFunc = ({ inputs, backend }) => {
  const ins = inputs as Record<string, tf.TensorInfo>;
  checkInputs('MambaSelectiveScanGrad', ins);
  const { x, delta, A, B, C, dy } = ins;
  const be = backend as unknown as WebGpuBackendLike;
  const shape = shapeOf(x, A);
  const [batch, seqLen, dInner, dState] = shape;
  const outs = {
    dx: be.makeTensorInfo([batch, seqLen, dInner], 'float32'),
    ddelta: be.makeTensorInfo([batch, seqLen, dInner], 'float32'),
    dA: be.makeTensorInfo([dInner, dState], 'float32'),
    dB: be.makeTensorInfo([batch, seqLen, dState], 'float32'),
    dC: be.makeTensorInfo([batch, seqLen, dState], 'float32'),
  };
  const step = rowsPerRun(shape, bindingLimitOverride ?? be.device.limits.maxStorageBufferBindingSize);
  const int = (v: number) => ({ type: 'int32', data: [v] });
  for (let b0 = 0; b0 < batch; b0 += step) {
    const rows = Math.min(step, batch - b0);
    const lay = scanBackwardLayout(rows, seqLen, dInner, dState);
    const packed = be.runWebGPUProgram(scanBackwardProgram(shape, rows), [x, delta, A, B, C, dy], 'float32', [
      int(b0),
      int(rows),
    ]);
    const gather = (
      out: tf.TensorInfo,
      src: number,
      outer: number,
      K: number,
      inner: number,
      dst: number,
      accumulate: boolean,
    ): void => {
      be.runWebGPUProgram(
        scanGatherProgram(out.shape, outer * inner),
        [packed],
        'float32',
        [int(src), int(outer), int(K), int(inner), int(dst), int(accumulate ? 1 : 0)],
        out,
      );
    };
    const seq = rows * seqLen * dInner;
    const rowOff = b0 * seqLen * dInner;
    gather(outs.dx, lay.dxAt, 1, 1, seq, rowOff, false);
    gather(outs.ddelta, lay.ddeltaAt, 1, 1, seq, rowOff, false);
    gather(outs.dA, lay.dAAt, 1, rows, dInner * dState, 0, b0 > 0);
    const stateOff = b0 * seqLen * dState;
    gather(outs.dB, lay.dBAt, rows, lay.groups, seqLen * dState, stateOff, false);
    gather(outs.dC, lay.dCAt, rows, lay.groups, seqLen * dState, stateOff, false);
    be.disposeData(packed.dataId);
  }
  return [outs.dx, outs.ddelta, outs.dA, outs.dB, outs.dC];
};
