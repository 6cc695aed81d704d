/**
 * Entry of a gradient worker thread of {@link DataParallelClassifier}: holds its own tfjs backend
 * and VisionMamba replica and answers the messages of `gradient_worker_messages.ts`.
 *
 * **Details**
 * `init` activates the backend (`selectBackend`, so the same kernels as on the main thread),
 * builds a VisionMamba of the main model's config and loads every parameter (`loadStateDict`,
 * strict). `sync` overwrites parameters, `step` overwrites the named parameters and the head and
 * returns the shard's loss share and gradients (`shardLossAndGrads`), `dispose` frees everything
 * and closes the port so the thread exits. Messages are handled one at a time, in order; an
 * exception is answered with an `error` message carrying the request id, message and stack.
 *
 * @module
 * @internal
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select_backend.js';
import { VisionMamba } from '../model/vision_mamba.js';
import type {
  FromWorkerMessage,
  HeadValue,
  InitMessage,
  ParamValue,
  StepMessage,
  ToWorkerMessage,
} from './gradient_worker_messages.js';
import { shardLossAndGrads } from './shard_loss_and_grads.js';

if (parentPort === null) {
  throw new Error('gradient_worker: runs only as a worker thread started by DataParallelClassifier');
}
const port = parentPort;

let model: VisionMamba | undefined;
let head: { weight: tf.Variable; bias: tf.Variable } | undefined;

function post(message: FromWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function replica(): VisionMamba {
  if (model === undefined) throw new Error('gradient_worker: received a request before init');
  return model;
}

function assignParams(m: VisionMamba, params: readonly ParamValue[], trainable: readonly boolean[]): void {
  for (const p of params) {
    const v = m.parameters.get(p.name);
    if (v === undefined) throw new Error(`gradient_worker: unknown parameter '${p.name}'`);
    if (p.data.length !== v.size) {
      throw new Error(
        `gradient_worker: '${p.name}' got ${p.data.length} values, expected ${v.size} (shape [${v.shape}])`,
      );
    }
    const t = tf.tensor(p.data, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  if (trainable.length !== m.parameters.size) {
    throw new Error(
      `gradient_worker: ${trainable.length} trainable flags for ${m.parameters.size} parameters`,
    );
  }
  let i = 0;
  for (const v of m.parameters.values()) v.trainable = trainable[i++];
}

function assignHead(h: HeadValue, dModel: number): { weight: tf.Variable; bias: tf.Variable } {
  if (head === undefined || head.weight.shape[0] !== h.numClasses) {
    if (head !== undefined) tf.dispose([head.weight, head.bias]);
    head = {
      weight: tf.variable(tf.zeros([h.numClasses, dModel]), true, undefined, 'float32'),
      bias: tf.variable(tf.zeros([h.numClasses]), true, undefined, 'float32'),
    };
  }
  tf.tidy(() => {
    head!.weight.assign(tf.tensor2d(h.weight, [h.numClasses, dModel]));
    head!.bias.assign(tf.tensor1d(h.bias));
  });
  head.weight.trainable = h.weightTrainable;
  head.bias.trainable = h.biasTrainable;
  return head;
}

async function init(msg: InitMessage): Promise<void> {
  const choice = await selectBackend(msg.backend);
  const m = VisionMamba.create(msg.config, { scanImpl: msg.scanImpl });
  try {
    m.loadStateDict(new Map(msg.params.map((p) => [p.name, { shape: p.shape, data: p.data }])), {
      strict: true,
    });
    assignParams(m, [], msg.trainable);
  } catch (err) {
    m.dispose();
    throw err;
  }
  model = m;
  post({ type: 'ready', tfjsBackend: choice.tfjsName });
}

function step(msg: StepMessage): void {
  const m = replica();
  assignParams(m, msg.params, msg.trainable);
  const c = m.config;
  const h = assignHead(msg.head, c.dModel);
  const images = tf.tensor4d(msg.images, [msg.shardBatch, c.imgSize, c.imgSize, c.inChans]);
  try {
    const { loss, grads } = shardLossAndGrads(m, h, images, msg.targets, msg.totalBatch, msg.names);
    const out: ParamValue[] = [];
    for (const [name, g] of grads) {
      // A copy: on the cpu backend dataSync() returns the tensor's own storage.
      out.push({ name, data: (g.dataSync() as Float32Array).slice() });
      g.dispose();
    }
    post(
      { type: 'result', id: msg.id, loss, grads: out },
      out.map((g) => g.data.buffer as ArrayBuffer),
    );
  } finally {
    images.dispose();
  }
}

function dispose(): void {
  model?.dispose();
  model = undefined;
  if (head !== undefined) tf.dispose([head.weight, head.bias]);
  head = undefined;
  port.close();
}

async function handle(msg: ToWorkerMessage): Promise<void> {
  const id = 'id' in msg ? msg.id : undefined;
  try {
    switch (msg.type) {
      case 'init':
        await init(msg);
        break;
      case 'sync':
        assignParams(replica(), msg.params, msg.trainable);
        post({ type: 'synced', id: msg.id });
        break;
      case 'step':
        step(msg);
        break;
      case 'dispose':
        dispose();
        break;
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', id, message: e.message, stack: e.stack });
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorkerMessage) => {
  queue = queue.then(() => handle(msg));
});
