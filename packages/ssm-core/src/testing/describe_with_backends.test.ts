import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  describeWithBackends,
  isBackendInstalled,
  sweepBackends,
  webgpuUnavailableReason,
} from './describe_with_backends.js';

const seen: string[] = [];

describeWithBackends(
  'describeWithBackends',
  (backend) => {
    it('activates the backend before the tests run', () => {
      expect(tf.getBackend()).toBe(backend === 'tensorflow-gpu' ? 'tensorflow' : backend);
      seen.push(backend);
    });
  },
  { backends: ['cpu', 'wasm', 'tensorflow'] },
);

it('ran on every installed backend and skipped the rest', () => {
  expect(seen).toEqual(['cpu', 'wasm', 'tensorflow'].filter((b) => isBackendInstalled(b as 'cpu')));
  expect(isBackendInstalled('cpu')).toBe(true);
  expect(isBackendInstalled('wasm')).toBe(true);
});

describeWithBackends(
  'describeWithBackends on webgpu',
  () => {
    it('activates webgpu, which computes and reads back asynchronously', async () => {
      expect(tf.getBackend()).toBe('webgpu');
      const y = tf.tidy(() =>
        tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
      );
      expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
      y.dispose();
    });
  },
  { backends: ['webgpu'] },
);

describe('sweepBackends', () => {
  const installed = (list: string[]) => list.filter((b) => isBackendInstalled(b as 'cpu'));

  it('leaves webgpu out of the default sweep unless the suite opts in', () => {
    const plain = sweepBackends({}, {});
    expect(plain.map((e) => e.backend)).not.toContain('webgpu');
    expect(plain.filter((e) => e.skip === undefined).map((e) => e.backend)).toEqual(
      installed(['cpu', 'wasm', 'tensorflow-gpu', 'tensorflow']),
    );
    const opted = sweepBackends({ webgpu: true }, {});
    expect(opted.map((e) => e.backend)).toEqual(['cpu', 'wasm', 'webgpu', 'tensorflow-gpu', 'tensorflow']);
  });

  it('names the reason a backend is skipped', () => {
    const entries = sweepBackends({ backends: ['cpu', 'tensorflow-gpu'] }, {});
    expect(entries[0]).toEqual({ backend: 'cpu' });
    if (!isBackendInstalled('tensorflow-gpu'))
      expect(entries[1].skip).toBe('@tensorflow/tfjs-node-gpu is not installed');
  });

  it('MAMBA_CL_TEST_BACKENDS=webgpu shows a suite that did not opt in as skipped, saying why', () => {
    const env = { MAMBA_CL_TEST_BACKENDS: 'cpu,webgpu' };
    expect(sweepBackends({}, env)).toEqual([
      { backend: 'cpu' },
      {
        backend: 'webgpu',
        skip: 'this suite does not sweep webgpu (describeWithBackends option webgpu: true)',
      },
    ]);
    expect(sweepBackends({ webgpu: true }, env).map((e) => e.skip)).toEqual([undefined, undefined]);
  });

  it('MAMBA_CL_TEST_WEBGPU=0 skips webgpu even where a suite names it', () => {
    expect(sweepBackends({ backends: ['webgpu'] }, { MAMBA_CL_TEST_WEBGPU: '0' })).toEqual([
      { backend: 'webgpu', skip: 'MAMBA_CL_TEST_WEBGPU=0 turns the webgpu suites off' },
    ]);
  });

  it('the adapter probe answers a reason or undefined, once', async () => {
    const reason = await webgpuUnavailableReason();
    if (reason !== undefined) expect(reason).toMatch(/not installed|no WebGPU adapter|webgpu unavailable/);
    expect(webgpuUnavailableReason()).toBe(webgpuUnavailableReason());
  });
});
