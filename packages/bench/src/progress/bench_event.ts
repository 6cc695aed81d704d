/**
 * The typed event stream of a benchmark run. Every event is also written to `events.jsonl`.
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
    }
  | { readonly type: 'phase'; readonly phase: string; readonly message: string }
  | { readonly type: 'pretrain-start'; readonly totalSteps: number }
  | {
      readonly type: 'pretrain-step';
      readonly step: number;
      readonly totalSteps: number;
      readonly loss: number;
    }
  | { readonly type: 'pretrain-end'; readonly accuracy: number; readonly seconds: number }
  | { readonly type: 'strategy-start'; readonly strategy: string }
  | {
      readonly type: 'task-start';
      readonly strategy: string;
      readonly task: number;
      readonly numTasks: number;
      readonly totalSteps: number;
    }
  | {
      readonly type: 'step';
      readonly strategy: string;
      readonly task: number;
      readonly step: number;
      readonly totalSteps: number;
      readonly loss: number;
    }
  | { readonly type: 'collect'; readonly strategy: string; readonly task: number; readonly message: string }
  | {
      readonly type: 'eval';
      readonly strategy: string;
      readonly task: number;
      readonly accuracies: readonly number[];
      readonly accuracy: number;
      readonly forgetting: number;
    }
  | { readonly type: 'task-end'; readonly strategy: string; readonly task: number; readonly seconds: number }
  | {
      readonly type: 'strategy-end';
      readonly strategy: string;
      readonly status: 'complete' | 'partial' | 'failed';
      readonly finalAccuracy: number;
      readonly forgetting: number;
      readonly seconds: number;
      readonly error?: string;
    }
  | { readonly type: 'run-end'; readonly status: 'complete' | 'partial'; readonly seconds: number }
  | { readonly type: 'trainer'; readonly event: Record<string, unknown> };

/**
 * A consumer of {@link BenchEvent}s.
 *
 * @category Progress
 */
export type BenchEventSink = (event: BenchEvent) => void;
