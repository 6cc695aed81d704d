/**
 * Registry of strategies by id, fed from a plain array (`builtin_strategies.ts`).
 *
 * @module
 */
import type { JsonValue, Strategy } from './strategy.js';

/**
 * Options passed to a strategy factory (JSON).
 *
 * @category Strategy
 */
export type StrategyOptions = Readonly<Record<string, JsonValue | undefined>>;

/**
 * A registered strategy.
 *
 * @category Strategy
 */
export interface StrategyDefinition {
  /** Unique id (`'mamba-cl'`, `'finetune'`, …). */
  readonly id: string;
  /** One line for `listStrategies` and the CLI. */
  readonly description: string;
  /** Makes a fresh instance. */
  readonly create: (options: StrategyOptions) => Strategy;
}

/**
 * A set of strategy definitions by id.
 *
 * **Details**
 * Registering an id twice throws; asking for an unknown id throws and lists the known ids.
 *
 * @example
 * const registry = new StrategyRegistry(BUILTIN_STRATEGIES);
 * const s = registry.create('mamba-cl', { eta: 0.9 });
 * @category Strategy
 */
export class StrategyRegistry {
  private readonly defs = new Map<string, StrategyDefinition>();

  /** @param definitions - initial definitions */
  constructor(definitions: readonly StrategyDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  /**
   * Adds a definition.
   *
   * @throws `Error` if the id is taken
   */
  register(definition: StrategyDefinition): void {
    if (this.defs.has(definition.id)) {
      throw new Error(`strategy "${definition.id}" is already registered; ids must be unique`);
    }
    this.defs.set(definition.id, definition);
  }

  /**
   * Definition by id.
   *
   * @throws `Error` naming the known ids
   */
  get(id: string): StrategyDefinition {
    const d = this.defs.get(id);
    if (d === undefined) {
      throw new Error(`unknown strategy "${id}"; known strategies: ${[...this.defs.keys()].join(', ')}`);
    }
    return d;
  }

  /** Makes a strategy. */
  create(id: string, options: StrategyOptions = {}): Strategy {
    return this.get(id).create(options);
  }

  /** Every definition, in registration order. */
  list(): StrategyDefinition[] {
    return [...this.defs.values()];
  }
}

/**
 * Reads an option with a type check, for strategy factories.
 *
 * @param options - the options object
 * @param key - option name
 * @param fallback - default
 * @param check - predicate the value must pass
 * @param expected - description for the error
 * @param strategy - strategy id for the error
 * @category Strategy
 */
export function readOption<T extends JsonValue>(
  options: StrategyOptions,
  key: string,
  fallback: T,
  check: (v: unknown) => boolean,
  expected: string,
  strategy: string,
): T {
  const v = options[key];
  if (v === undefined) return fallback;
  if (!check(v))
    throw new Error(`strategy "${strategy}": option ${key} = ${JSON.stringify(v)}; expected ${expected}`);
  return v as T;
}

/**
 * Throws for option keys a strategy does not know (catches typos such as `etta`).
 *
 * @category Strategy
 */
export function checkOptionKeys(options: StrategyOptions, known: readonly string[], strategy: string): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new Error(`strategy "${strategy}": unknown option "${k}"; known options: ${known.join(', ')}`);
    }
  }
}
