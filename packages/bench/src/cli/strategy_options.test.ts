import { getStrategyDefinition } from '@mamba-cl/cl-trainer';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli_error.js';
import {
  collectStrategyOptions,
  describeOptions,
  parseStrategyOption,
  validateStrategyOptions,
} from './strategy_options.js';

const lookup = (id: string) => {
  try {
    return getStrategyDefinition(id);
  } catch {
    return undefined;
  }
};
const errorOf = (f: () => void): CliError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
};

describe('--option <strategy>.<key>=<value>', () => {
  it('parses JSON where it parses, else keeps the string; ids may hold dashes', () => {
    expect(parseStrategyOption('ewc.lambda=10')).toEqual({ strategy: 'ewc', key: 'lambda', value: 10 });
    expect(parseStrategyOption('ewc.mode=online')).toEqual({ strategy: 'ewc', key: 'mode', value: 'online' });
    expect(parseStrategyOption('mamba-cl.threshold={"kind":"ratio","ratio":0.01}').value).toEqual({
      kind: 'ratio',
      ratio: 0.01,
    });
    expect(parseStrategyOption('l2-anchor.lambda=1e-3').value).toBe(0.001);
    expect(parseStrategyOption('x.flag=true').value).toBe(true);
    expect(parseStrategyOption('x.s="quoted"').value).toBe('quoted');
    expect(parseStrategyOption('x.s=').value).toBe('');
  });

  it('refuses a value without strategy, key or "="', () => {
    for (const bad of ['lambda=10', 'ewc.lambda', '.lambda=1', 'ewc.=1']) {
      expect(errorOf(() => parseStrategyOption(bad)).message).toMatch(/expected <strategy>\.<key>=<value>/);
    }
  });

  it('merges in order: a later value of a key wins, others are kept', () => {
    const base = { ewc: { mode: 'online' } };
    expect(collectStrategyOptions(['ewc.lambda=1', 'ewc.lambda=5', 'lwf.temperature=3'], base)).toEqual({
      ewc: { mode: 'online', lambda: 5 },
      lwf: { temperature: 3 },
    });
    expect(base).toEqual({ ewc: { mode: 'online' } });
  });

  it('names the strategy, the key and the known keys for an unknown option', () => {
    const e = errorOf(() => validateStrategyOptions({ ewc: { lamda: 1 } }, ['ewc'], lookup));
    expect(e.message).toBe('--option ewc.lamda: strategy "ewc" has no option "lamda"');
    expect(e.hint).toBe('known options of ewc: lambda, mode, gamma');
    expect(errorOf(() => validateStrategyOptions({ finetune: { x: 1 } }, ['finetune'], lookup)).hint).toBe(
      'strategy "finetune" takes no options',
    );
  });

  it('refuses a bad value with the strategy’s own message, and a strategy not in the run', () => {
    const e = errorOf(() => validateStrategyOptions({ ewc: { lambda: -1 } }, ['ewc'], lookup));
    expect(e.message).toMatch(
      /--option ewc\.lambda: strategy "ewc": option lambda = -1; expected a number ≥ 0/,
    );
    expect(errorOf(() => validateStrategyOptions({ lwf: { lambda: 1 } }, ['ewc'], lookup)).message).toMatch(
      /strategy "lwf" is not part of this run/,
    );
    expect(() =>
      validateStrategyOptions({ ewc: { lambda: 5, mode: 'online' } }, ['ewc'], lookup),
    ).not.toThrow();
  });

  it('describes options with their defaults', () => {
    expect(describeOptions(getStrategyDefinition('lwf'))).toBe('lambda=1, temperature=2');
    expect(describeOptions(getStrategyDefinition('joint'))).toBe('—');
  });
});
