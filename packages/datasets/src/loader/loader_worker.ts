/**
 * Worker-thread entry of {@link DataLoader}: rebuilds the pipeline from its {@link LoaderPipelineSpec},
 * then answers batch requests with NHWC batches (buffers transferred, not copied).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoaderPipelineSpec, resolvePipeline } from './pipeline_spec.js';
import { ImageCache, runJobs, type SampleJob } from './sample_job.js';

interface InitData {
  pipeline: LoaderPipelineSpec;
  seed: number;
  cacheImages: number;
}

const init = workerData as InitData;
const cache = init.cacheImages > 0 ? new ImageCache(init.cacheImages) : undefined;
const transformPromise = resolvePipeline(init.pipeline);
// keep a rejected promise from killing the worker before a request reports it
transformPromise.catch(() => undefined);

parentPort!.on('message', async (msg: { id: number; epoch: number; jobs: SampleJob[] }) => {
  try {
    const transform = await transformPromise;
    const batch = await runJobs(msg.jobs, transform, init.seed, msg.epoch, cache);
    const transfer = [batch.images.buffer, batch.labels.buffer, batch.indices.buffer] as ArrayBuffer[];
    parentPort!.postMessage({ id: msg.id, batch }, transfer);
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: msg.id, error: `${err.name}: ${err.message}` });
  }
});
