import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TFJS_CORE_VERSION } from '../../generated/tfjs_gradients.js';
import './register_gradients.js';

const corePkgJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json');

describe('register_gradients', () => {
  it('bundles the gradients of the installed tfjs-core (rerun scripts/bundle_tfjs_gradients.mjs if not)', () => {
    const installed = (JSON.parse(readFileSync(corePkgJson, 'utf8')) as { version: string }).version;
    expect(TFJS_CORE_VERSION).toBe(installed);
  });

  it('registers a gradient for every gradient config tfjs-core ships', () => {
    const dir = join(dirname(corePkgJson), 'dist', 'gradients');
    const files = readdirSync(dir).filter((f) => f.endsWith('_grad.js'));
    expect(files.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8');
      const kernel = /kernelName:\s*(\w+)/.exec(src)?.[1];
      if (kernel === undefined) continue;
      const name = (tf as unknown as Record<string, unknown>)[kernel];
      if (typeof name !== 'string' || tf.getGradient(name) === undefined) missing.push(`${f} (${kernel})`);
    }
    expect(missing).toEqual([]);
  });

  it('lets tf.grads differentiate through core ops', () => {
    const [g] = tf.grads((x: tf.Tensor) => tf.sum(tf.exp(tf.mul(x, x))))([tf.tensor1d([1, 2])]);
    const expected = [1, 2].map((x) => 2 * x * Math.exp(x * x));
    const got = Array.from(g.dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 1);
    });
    g.dispose();
  });
});
