import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWithBackends, isBackendInstalled } from './describe_with_backends.js';

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
