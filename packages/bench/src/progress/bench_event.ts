import type { TrainerEvent } from '@mamba-cl/cl-trainer';

/**
 * The typed event stream of a benchmark run: the bench's own events plus every trainer event
 * (wrapped with the strategy it belongs to). Every event is also written to `events.jsonl`.
 *
 * @category Progress
 */
export type BenchEvent =
  | {
      readonly type: 'run-start';
      readonly benchmark: string;
      readonly seed: number;
      readonly strategies: readonly string[];
      readonly numTasks: number;
      readonly dir: string;
    }
  | { readonly type: 'phase'; readonly phase: string; readonly message: string }
  | { readonly type: 'pretrain-start'; readonly totalSteps: number }
  | {
      readonly type: 'pretrain-step';
      readonly step: number;
      readonly totalSteps: number;
      readonly loss: number;
    }
  | {
      readonly type: 'pretrain-end';
      readonly accuracy: number;
      readonly seconds: number;
      readonly path: string;
    }
  | { readonly type: 'strategy-start'; readonly strategy: string }
  | { readonly type: 'trainer'; readonly strategy: string; readonly event: TrainerEvent }
  | {
      readonly type: 'strategy-end';
      readonly strategy: string;
      readonly status: 'complete' | 'partial' | 'failed';
      readonly finalAccuracy: number;
      readonly forgetting: number;
      readonly seconds: number;
      readonly error?: string;
    }
  | { readonly type: 'run-end'; readonly status: 'complete' | 'partial'; readonly seconds: number };

/**
 * A consumer of {@link BenchEvent}s.
 *
 * @category Progress
 */
export type BenchEventSink = (event: BenchEvent) => void;
