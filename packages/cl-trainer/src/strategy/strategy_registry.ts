/**
 * Registry of strategies by id, fed from a plain array (`builtin_strategies.ts`).
 *
 * The default registry is process-global: its definitions live in one slot on `globalThis`
 * ({@link STRATEGY_REGISTRY_SLOT}), so a plug-in that resolves its own copy of
 * `@mamba-cl/cl-trainer` registers into the same registry the CLI reads.
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
 * What one option of a strategy means: shown by `mamba-cl list strategies` and used to validate
 * `--option <strategy>.<key>=<value>` before a run starts.
 *
 * @category Strategy
 */
export interface StrategyOptionInfo {
  /** JSON type of the value (`'number'`, `'string'`, `'boolean'`, `'object'`, `'array'`). */
  readonly type: 'number' | 'string' | 'boolean' | 'object' | 'array';
  /** One line: what it does and which values it takes. */
  readonly description: string;
  /** The value used when the option is not given. */
  readonly default?: JsonValue;
}

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
  /**
   * The options the factory accepts, by key (omit when unknown: then any key reaches `create`,
   * which validates on its own). `{}` means "takes no options".
   */
  readonly options?: Readonly<Record<string, StrategyOptionInfo>>;
}

/**
 * The `globalThis` slot that holds the process-wide strategy definitions:
 * `Symbol.for('@mamba-cl/cl-trainer/strategy-registry')`. Every copy of this package (the CLI's,
 * a plug-in's own) finds the same slot.
 *
 * @category Strategy
 */
export const STRATEGY_REGISTRY_SLOT: unique symbol = Symbol.for('@mamba-cl/cl-trainer/strategy-registry');

/**
 * Format version of the slot's content ({@link SharedStrategySlot}); a copy of the package that
 * finds another version refuses to share it (its error names both versions).
 *
 * @category Strategy
 */
export const STRATEGY_REGISTRY_VERSION = 1;

/**
 * What {@link STRATEGY_REGISTRY_SLOT} holds: a version tag and the definitions by id, in
 * registration order. Plain data, so copies of different builds can share it.
 *
 * @category Strategy
 */
export interface SharedStrategySlot {
  readonly version: number;
  readonly definitions: Map<string, StrategyDefinition>;
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
  private readonly defs: Map<string, StrategyDefinition>;

  /**
   * @param definitions - initial definitions
   * @param store - the map to keep them in (default a fresh one; {@link sharedStrategyRegistry}
   *   passes the process-global one)
   */
  constructor(
    definitions: readonly StrategyDefinition[] = [],
    store: Map<string, StrategyDefinition> = new Map(),
  ) {
    this.defs = store;
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

  /** Whether the id is registered. */
  has(id: string): boolean {
    return this.defs.has(id);
  }
}

/**
 * The process-global registry (one per process, whatever the copy of this package), holding
 * `builtins` plus everything registered so far.
 *
 * **Details**
 * The definitions live in `globalThis[STRATEGY_REGISTRY_SLOT]`, created on first use. Built-ins
 * whose id is already there (registered by another copy of the package) are not registered again.
 *
 * @param builtins - definitions to add when missing (the built-in strategies)
 * @param scope - the object that holds the slot (default `globalThis`; tests pass their own)
 * @returns a registry over the shared definitions
 * @throws `Error` if the slot holds another format version
 * @example
 * const registry = sharedStrategyRegistry(BUILTIN_STRATEGIES);
 * @category Strategy
 */
export function sharedStrategyRegistry(
  builtins: readonly StrategyDefinition[] = [],
  scope: object = globalThis,
): StrategyRegistry {
  const holder = scope as { [STRATEGY_REGISTRY_SLOT]?: SharedStrategySlot };
  let slot = holder[STRATEGY_REGISTRY_SLOT];
  if (slot === undefined) {
    slot = { version: STRATEGY_REGISTRY_VERSION, definitions: new Map() };
    Object.defineProperty(holder, STRATEGY_REGISTRY_SLOT, { value: slot, enumerable: false });
  } else if (slot.version !== STRATEGY_REGISTRY_VERSION || !(slot.definitions instanceof Map)) {
    throw new Error(
      `@mamba-cl/cl-trainer: the process-wide strategy registry has format version ${String(slot.version)}, this copy reads version ${STRATEGY_REGISTRY_VERSION}; install one version of @mamba-cl/cl-trainer`,
    );
  }
  const registry = new StrategyRegistry([], slot.definitions);
  for (const d of builtins) if (!registry.has(d.id)) registry.register(d);
  return registry;
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
