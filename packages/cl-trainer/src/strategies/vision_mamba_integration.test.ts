import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import { expect, it } from 'vitest';
import type { Backbone } from '../backbone/backbone.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { checkProjectionExactness } from '../testing_internal/projection_exactness.js';
import { tinyVisionMamba } from '../testing_internal/tiny_vision_mamba.js';

describeWithBackends(
  'mamba-cl on the real VisionMamba',
  () => {
    it('VisionMamba is a Backbone with the official trainable set', () => {
      const vim = tinyVisionMamba(1);
      const b: Backbone = vim;
      expect(
        b
          .trainableNames()
          .filter((n) => n.startsWith('blocks.0.'))
          .sort(),
      ).toEqual([
        'blocks.0.mixer.A_log',
        'blocks.0.mixer.out_proj.weight',
        'blocks.0.mixer.x_proj_B.weight',
        'blocks.0.mixer.x_proj_C.weight',
        'blocks.0.mixer.x_proj_step.weight',
      ]);
      vim.dispose();
    });

    it('with η=1 and factored projectors keeps W_δ, W_C and out_proj outputs on old-task inputs unchanged (1e-5 relative)', async () => {
      const vim = tinyVisionMamba(2);
      // 2 images × 5 tokens = 10 rows < dInner 24.
      const stream = syntheticStream({
        numTasks: 2,
        classesPerTask: 2,
        trainPerClass: 1,
        valPerClass: 1,
        batchSize: 2,
        seed: 6,
      });
      const dims = await checkProjectionExactness(vim, stream, 2, {
        lr: 5e-2,
        epochs: 3,
        rtol: 1e-5,
        apply: 'factored',
      });
      expect(dims['blocks.1.mixer.out_proj.weight']).toBeGreaterThanOrEqual(24 - 10);
      vim.dispose();
    });
  },
  { backends: ['cpu'] },
);
