/**
 * What the pieces of a run share: the model, heads, strategy, data, resolved config and the event
 * sink. {@link ContinualTrainer} builds one and hands it to the task loop, the step, the evaluation
 * and the checkpoint I/O, each in its own file.
 *
 * @module
 */
import type { Backbone } from '../backbone/backbone.js';
import type { TrainerEvent } from '../events/trainer_events.js';
import type { TaskHeads } from '../heads/task_heads.js';
import type { JsonValue, Strategy, StrategyContext } from '../strategy/strategy.js';
import type { TaskStream } from '../stream/task_stream.js';
import type { ResolvedTrainerConfig } from './trainer_config.js';

/**
 * The state of one trainer, as the run's pieces see it.
 *
 * @internal
 */
export interface TrainerRuntime {
  readonly backbone: Backbone;
  readonly strategy: Strategy;
  readonly stream: TaskStream;
  readonly config: ResolvedTrainerConfig;
  readonly heads: TaskHeads;
  /** Backbone parameters the optimizer trains. */
  readonly trainable: readonly string[];
  /** Delivers an event to every listener (a throwing listener aborts the run). */
  readonly emit: (event: TrainerEvent) => void;
  /** The context handed to strategy hooks for task t. */
  context(t: number): StrategyContext;
  /** What identifies the run (checkpoints of another run are refused). */
  fingerprint(): Record<string, JsonValue>;
}
