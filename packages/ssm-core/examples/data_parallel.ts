import { DataParallelClassifier, selectBackend, VisionMamba } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend();
const model = VisionMamba.create('tiny', { seed: 1 });
const numClasses = 10;
const head = {
  weight: tf.variable(tf.randomNormal([numClasses, model.config.dModel], 0, 0.02, 'float32', 1)),
  bias: tf.variable(tf.zeros([numClasses])),
};
const images = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
const targets = Int32Array.from({ length: 8 }, (_, i) => i % numClasses);

// Each worker thread holds its own backend and backbone replica; the main thread computes the first shard.
const dp = await DataParallelClassifier.create(model, { workers: 1 }); // default: cores − 1
const names = [...model.trainableNames(), 'head.weight', 'head.bias'];
const variableOf = (name: string): tf.Variable =>
  name === 'head.weight' ? head.weight : name === 'head.bias' ? head.bias : model.parameters.get(name)!;
const optimizer = tf.train.adam(1e-3);
for (let step = 0; step < 2; step++) {
  const { loss, grads } = await dp.lossAndGrads(images, targets, head, names);
  console.log(`step ${step}: loss ${loss.toFixed(4)}`);
  optimizer.applyGradients(names.map((n) => ({ name: variableOf(n).name, tensor: grads.get(n)! })));
  tf.dispose([...grads.values()]);
}
await dp.syncAll(); // only after changing parameters that are not in `names` (e.g. a new checkpoint)
await dp.dispose();
optimizer.dispose();
tf.dispose([images, head.weight, head.bias]);
model.dispose();
