/**
 * The part of a `@mamba-cl/cl-trainer` `TrainerEvent` the progress display reads (structural, so that
 * any trainer event can be passed through unchanged).
 *
 * @category Progress
 */
export interface TrainerEventLike {
  readonly type: string;
  readonly task?: number;
  readonly numTasks?: number;
  readonly epoch?: number;
  readonly epochs?: number;
  readonly steps?: number;
  readonly loss?: number;
  readonly phase?: string;
  readonly done?: number;
  readonly total?: number;
  readonly accuracies?: readonly number[];
  readonly accuracy?: number;
  readonly forgetting?: number;
  readonly imagesPerSec?: number;
}

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
  | { readonly type: 'trainer'; readonly strategy: string; readonly event: TrainerEventLike }
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
