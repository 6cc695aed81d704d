import { describe, expect, it } from 'vitest';
import {
  BUILTIN_STRATEGIES,
  createStrategy,
  getStrategyDefinition,
  listStrategies,
  registerStrategy,
} from '../strategies/builtin_strategies.js';
import type { Strategy } from './strategy.js';
import {
  STRATEGY_REGISTRY_SLOT,
  STRATEGY_REGISTRY_VERSION,
  type StrategyDefinition,
  StrategyRegistry,
  sharedStrategyRegistry,
} from './strategy_registry.js';

const stub = (id: string): StrategyDefinition => ({
  id,
  description: `stub ${id}`,
  create: () =>
    ({
      id,
      options: {},
      saveState: () => ({ meta: null, arrays: {} }),
      loadState: () => {},
      dispose: () => {},
    }) as Strategy,
});

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

  it('keeps the default registry in one globalThis slot that every copy of the package shares', () => {
    const slot = (globalThis as Record<symbol, unknown>)[
      Symbol.for('@mamba-cl/cl-trainer/strategy-registry')
    ] as {
      version: number;
      definitions: Map<string, StrategyDefinition>;
    };
    expect(slot.version).toBe(STRATEGY_REGISTRY_VERSION);
    expect([...slot.definitions.keys()].slice(0, 6)).toEqual(BUILTIN_STRATEGIES.map((d) => d.id));
    // A second copy of the package (same slot, its own built-in objects) sees and adds to the same map.
    const otherCopy = sharedStrategyRegistry(BUILTIN_STRATEGIES.map((d) => ({ ...d })));
    otherCopy.register(stub('from-other-copy'));
    expect(listStrategies().map((s) => s.id)).toContain('from-other-copy');
    expect(createStrategy('from-other-copy').id).toBe('from-other-copy');
    expect(getStrategyDefinition('mamba-cl')).toBe(BUILTIN_STRATEGIES[0]);
    slot.definitions.delete('from-other-copy');
  });

  it('gives a scope its own slot, and refuses a slot of another format version', () => {
    const scope = {};
    const a = sharedStrategyRegistry([stub('a')], scope);
    const b = sharedStrategyRegistry([stub('a'), stub('b')], scope);
    expect(a.list().map((d) => d.id)).toEqual(['a', 'b']);
    expect(b.has('a')).toBe(true);
    const future = { [STRATEGY_REGISTRY_SLOT]: { version: 99, definitions: new Map() } };
    expect(() => sharedStrategyRegistry([], future)).toThrow(
      /format version 99, this copy reads version 1; install one version/,
    );
  });

  it('describes the options of every built-in, and each described default is accepted', () => {
    for (const def of BUILTIN_STRATEGIES) {
      expect(def.options, def.id).toBeDefined();
      const opts = def.options ?? {};
      for (const [key, info] of Object.entries(opts)) {
        expect(['number', 'string', 'boolean', 'object', 'array']).toContain(info.type);
        if (info.default === undefined || (key === 'storeDir' && info.default === '')) continue;
        const s = def.create({ [key]: info.default });
        expect(s.options[key], `${def.id}.${key}`).toEqual(info.default);
        s.dispose();
      }
      // A key outside the description is refused by the factory too.
      expect(() => def.create({ notAnOption: 1 })).toThrow(/unknown option "notAnOption"/);
    }
    expect(Object.keys(getStrategyDefinition('ewc').options ?? {})).toEqual(['lambda', 'mode', 'gamma']);
    expect(getStrategyDefinition('finetune').options).toEqual({});
  });
});
