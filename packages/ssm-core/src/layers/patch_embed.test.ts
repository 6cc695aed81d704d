import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { patchEmbed } from './patch_embed.js';

describeWithBackends(
  'patchEmbed',
  () => {
    it('equals a Conv2d with kernel = stride = patch and PyTorch weight layout, raster token order', async () => {
      const rng = new SeededRandom(11);
      const [B, H, W, C, p, dM] = [2, 4, 6, 3, 2, 5];
      const img = rng.normalArray(B * H * W * C);
      const w = rng.normalArray(dM * C * p * p); // [dM, C, p, p]
      const bias = rng.normalArray(dM);
      const gh = H / p;
      const gw = W / p;
      const exp = new Float32Array(B * gh * gw * dM);
      for (let b = 0; b < B; b++)
        for (let r = 0; r < gh; r++)
          for (let c = 0; c < gw; c++)
            for (let o = 0; o < dM; o++) {
              let s = bias[o];
              for (let ch = 0; ch < C; ch++)
                for (let i = 0; i < p; i++)
                  for (let j = 0; j < p; j++)
                    s +=
                      w[((o * C + ch) * p + i) * p + j] * img[((b * H + r * p + i) * W + c * p + j) * C + ch];
              exp[((b * gh + r) * gw + c) * dM + o] = s;
            }
      const [it4, wt, bt] = [
        tf.tensor4d(img, [B, H, W, C]),
        tf.tensor4d(w, [dM, C, p, p]),
        tf.tensor1d(bias),
      ];
      await expectTensorsCloseAsync(patchEmbed(it4, wt, bt), tf.tensor3d(exp, [B, gh * gw, dM]), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      tf.dispose([it4, wt, bt]);
    });
  },
  { webgpu: true },
);
