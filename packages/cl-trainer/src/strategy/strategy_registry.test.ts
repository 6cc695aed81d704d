import { describe, expect, it } from 'vitest';
import {
  BUILTIN_STRATEGIES,
  createStrategy,
  listStrategies,
  registerStrategy,
} from '../strategies/builtin_strategies.js';
import { StrategyRegistry } from './strategy_registry.js';

describe('strategy registry', () => {
  it('lists the built-ins and creates them with options', () => {
    expect(listStrategies().map((s) => s.id)).toEqual([
      'mamba-cl',
      'finetune',
      'joint',
      'ewc',
      'lwf',
      'nscl',
    ]);
    const s = createStrategy('mamba-cl', { eta: 0.9 });
    expect(s.id).toBe('mamba-cl');
    expect(s.options.eta).toBe(0.9);
    expect(createStrategy('nscl').options).toMatchObject({
      eta: 1,
      normalize: 'none',
      threshold: { kind: 'ratio' },
    });
    expect(createStrategy('ewc', { mode: 'online' }).options.mode).toBe('online');
  });

  it('names the known ids for an unknown one and refuses duplicates and bad options', () => {
    expect(() => createStrategy('ewk')).toThrow(
      /unknown strategy "ewk"; known strategies: mamba-cl, finetune, joint, ewc, lwf, nscl/,
    );
    expect(() => registerStrategy(BUILTIN_STRATEGIES[0])).toThrow(/"mamba-cl" is already registered/);
    expect(() => new StrategyRegistry([BUILTIN_STRATEGIES[1], BUILTIN_STRATEGIES[1]])).toThrow(
      /already registered/,
    );
    expect(() => createStrategy('mamba-cl', { etta: 1 })).toThrow(
      /unknown option "etta"; known options: eta/,
    );
    expect(() => createStrategy('mamba-cl', { eta: 2 })).toThrow(
      /option eta = 2; expected a number in \[0, 1\]/,
    );
    expect(() => createStrategy('mamba-cl', { store: 'disk' })).toThrow(/needs option storeDir/);
  });
});
