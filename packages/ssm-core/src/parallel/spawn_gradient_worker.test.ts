import { describe, expect, it } from 'vitest';
import { conditionFlags } from './spawn_gradient_worker.js';

describe('conditionFlags', () => {
  it('keeps every --conditions / -C flag, in --conditions=name form, and drops the other flags', () => {
    expect(
      conditionFlags([
        '--conditions=@mamba-cl/source',
        '--import',
        'tsx',
        '-C',
        'development',
        '--inspect',
        '--conditions',
        'x',
        '-C=y',
      ]),
    ).toEqual([
      '--conditions=@mamba-cl/source',
      '--conditions=development',
      '--conditions=x',
      '--conditions=y',
    ]);
  });

  it('gives nothing for a plain process and ignores a dangling flag', () => {
    expect(conditionFlags([])).toEqual([]);
    expect(conditionFlags(['--conditions'])).toEqual([]);
  });
});
