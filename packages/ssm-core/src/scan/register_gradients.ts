/**
 * Side effect: registers tfjs-core's gradient functions (`Sum`, `Mul`, `Exp`, …) in the global
 * gradient registry, without which `tf.grads` fails with "gradient function not found".
 *
 * **Details**
 * tfjs-core's Node bundle ships without them and its ESM file `dist/register_all_gradients.js`
 * cannot be imported by Node (extensionless relative imports); the Node bundle of the union
 * package `@tensorflow/tfjs` inlines and registers them into the shared global registry. Importing
 * it also registers its `cpu`/`webgl` backend factories, which is harmless: only
 * `selectBackend()` activates a backend.
 *
 * @internal
 */
import '@tensorflow/tfjs';
