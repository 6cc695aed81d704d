import type { BackendName } from '../backend/backend_names.js';
import type { MixerScanImpl } from '../layers/scan_call.js';
import type { VisionMambaConfig } from '../model/model_config.js';

/**
 * The messages between a {@link DataParallelClassifier} and its gradient workers.
 *
 * **Details**
 * main → worker: `init` (once, first), then any number of `sync` and `step`, then `dispose`.
 * worker → main: `ready` or `error` for `init`; `synced` or `error` for `sync`; `result` or `error`
 * for `step` (with the request's `id`). Float32Array buffers are transferred, never shared.
 *
 * @module
 * @internal
 */

/** The value of one parameter, row-major float32 in the parameter's shape. @internal */
export interface ParamValue {
  readonly name: string;
  readonly data: Float32Array;
}

/** Builds the replica: backend, config, every parameter and its `trainable` flag. @internal */
export interface InitMessage {
  readonly type: 'init';
  readonly backend: BackendName;
  readonly config: VisionMambaConfig;
  readonly scanImpl: MixerScanImpl;
  /** The main model's `stateDict()`, as entries. */
  readonly params: readonly (ParamValue & { readonly shape: number[] })[];
  /** `trainable` of every parameter, in `params` order. */
  readonly trainable: readonly boolean[];
}

/** Overwrites some parameters (all of them for `syncAll`). @internal */
export interface SyncMessage {
  readonly type: 'sync';
  readonly id: number;
  readonly params: readonly ParamValue[];
  /** `trainable` of every parameter, in the model's parameter order. */
  readonly trainable: readonly boolean[];
}

/** The head as sent to a worker: values, shapes and whether each part is differentiated. @internal */
export interface HeadValue {
  /** Shape [numClasses, dModel]. */
  readonly weight: Float32Array;
  /** Shape [numClasses]. */
  readonly bias: Float32Array;
  readonly numClasses: number;
  readonly weightTrainable: boolean;
  readonly biasTrainable: boolean;
}

/** Computes one shard's loss share and gradients after updating the given parameters. @internal */
export interface StepMessage {
  readonly type: 'step';
  readonly id: number;
  /** Current values of the backbone parameters named in `names`. */
  readonly params: readonly ParamValue[];
  /** `trainable` of every parameter, in the model's parameter order. */
  readonly trainable: readonly boolean[];
  readonly head: HeadValue;
  /** The shard's images, shape [shardBatch, imgSize, imgSize, inChans] row-major. */
  readonly images: Float32Array;
  readonly shardBatch: number;
  /** Class index of each image of the shard, length shardBatch. */
  readonly targets: Int32Array;
  /** Size of the whole batch (divisor of the mean). */
  readonly totalBatch: number;
  readonly names: readonly string[];
}

/** Frees the replica; the worker closes its port and exits. @internal */
export interface DisposeMessage {
  readonly type: 'dispose';
}

/** Any message to a worker. @internal */
export type ToWorkerMessage = InitMessage | SyncMessage | StepMessage | DisposeMessage;

/** The replica is built. @internal */
export interface ReadyMessage {
  readonly type: 'ready';
  /** The backend the worker activated (tfjs name). */
  readonly tfjsBackend: string;
}

/** A `sync` was applied. @internal */
export interface SyncedMessage {
  readonly type: 'synced';
  readonly id: number;
}

/** A shard's loss share and the gradients it produced (shapes of the parameters). @internal */
export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly loss: number;
  readonly grads: readonly ParamValue[];
}

/** Something threw in the worker; `id` is absent for `init`. @internal */
export interface ErrorMessage {
  readonly type: 'error';
  readonly id?: number;
  readonly message: string;
  readonly stack?: string;
}

/** Any message from a worker. @internal */
export type FromWorkerMessage = ReadyMessage | SyncedMessage | ResultMessage | ErrorMessage;
