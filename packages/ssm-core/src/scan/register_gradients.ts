/**
 * Side effect: registers tfjs-core's gradient functions (`Sum`, `Mul`, `Exp`, …) in the global
 * gradient registry, without which `tf.grads` fails with "gradient function not found".
 *
 * **Details**
 * tfjs-core's Node bundle ships without them and its ESM file `dist/register_all_gradients.js`
 * cannot be imported by Node (extensionless relative imports, no `exports` map, no CommonJS build).
 * `generated/tfjs_gradients.js` is that file bundled with esbuild from tfjs-core's own gradient
 * configs (`scripts/bundle_tfjs_gradients.mjs`), as the union package `@tensorflow/tfjs` does
 * without its 141 MB of layers, converter and webgl. The registry is global, so the bundle's
 * registrations serve the `@tensorflow/tfjs-core` every package imports.
 *
 * @internal
 */
import '../../generated/tfjs_gradients.js';
