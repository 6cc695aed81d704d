import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import { linear } from './linear.js';

/**
 * Patch embedding: a Conv2d with kernel = stride = patch, computed as a reshape plus one linear map.
 *
 * **Details**
 * Tokens are raster ordered (token = row·(W/p) + col, spec §1.2). The PyTorch weight
 * [dModel, inChans, p, p] is permuted to [dModel, p, p, inChans] to match NHWC patches flattened as
 * (py, px, c).
 *
 * @param images - NHWC images, shape [batch, H, W, inChans], H and W divisible by `patch`
 * @param weight - `patch_embed.proj.weight`, shape [dModel, inChans, patch, patch]
 * @param bias - `patch_embed.proj.bias`, shape [dModel]
 * @returns patch tokens, shape [batch, (H/p)·(W/p), dModel]
 * @example
 * const tokens = patchEmbed(images, w, b); // [B, 144, 1024] for 192 px, patch 16
 * @category Layers
 */
export function patchEmbed(images: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor3D {
  const [batch, h, w, c] = images.shape;
  const [dModel, inChans, p, p2] = weight.shape;
  if (inChans !== c || p !== p2) {
    throw new Error(
      `patchEmbed: weight [${weight.shape}] does not fit images [${images.shape}] (expected [dModel, ${c}, p, p])`,
    );
  }
  if (h % p !== 0 || w % p !== 0)
    throw new Error(`patchEmbed: image ${h}×${w} is not divisible by the patch ${p}`);
  const gh = h / p;
  const gw = w / p;
  return tf.tidy(() => {
    // [B, gh, p, gw, p*C] -> [B, gh, gw, p, p*C] -> [B*gh*gw, p*p*C]
    const patches = tf.reshape(tf.transpose(tf.reshape(images, [batch, gh, p, gw, p * c]), [0, 1, 3, 2, 4]), [
      batch * gh * gw,
      p * p * c,
    ]) as tf.Tensor2D;
    const w2 = tf.reshape(tf.transpose(weight, [0, 2, 3, 1]), [dModel, p * p * c]) as tf.Tensor2D;
    return tf.reshape(linear(patches, w2, bias), [batch, gh * gw, dModel]) as tf.Tensor3D;
  });
}
