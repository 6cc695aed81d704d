import type { BenchEvent } from './bench_event.js';
import type { ProgressBar } from './progress_bar.js';

const pct = (v: number) => `${v.toFixed(2)}%`;

/**
 * Turns the {@link BenchEvent} stream of a run into progress bars and log lines.
 *
 * **Details**
 * One bar per task (and one for pretraining) with the running loss; after each evaluation one line
 * with the accuracy on all seen classes and the forgetting. Trainer-internal events are ignored.
 *
 * @param bar - the progress bar to drive
 * @returns an event sink
 * @example
 * const sink = eventProgress(new ProgressBar(process.stderr));
 * sink({ type: 'phase', phase: 'data', message: 'loading Fashion-MNIST' });
 * @category Progress
 */
export function eventProgress(bar: ProgressBar): (event: BenchEvent) => void {
  let lossEma = Number.NaN;
  return (e) => {
    switch (e.type) {
      case 'run-start':
        bar.log(`${e.benchmark}, seed ${e.seed}: ${e.strategies.join(', ')} on ${e.numTasks} tasks`);
        break;
      case 'phase':
        bar.log(`[${e.phase}] ${e.message}`);
        break;
      case 'pretrain-start':
        lossEma = Number.NaN;
        bar.start('pretrain', e.totalSteps);
        break;
      case 'pretrain-step':
      case 'step':
        lossEma = Number.isNaN(lossEma) ? e.loss : 0.9 * lossEma + 0.1 * e.loss;
        bar.update(e.step, `loss ${lossEma.toFixed(3)}`);
        break;
      case 'pretrain-end':
        bar.finish(`loss ${lossEma.toFixed(3)}, accuracy ${pct(e.accuracy)}`);
        break;
      case 'strategy-start':
        bar.log(`── ${e.strategy}`);
        break;
      case 'task-start':
        lossEma = Number.NaN;
        bar.start(`${e.strategy} task ${e.task + 1}/${e.numTasks}`, e.totalSteps);
        break;
      case 'collect':
        bar.log(`  ${e.strategy} task ${e.task + 1}: ${e.message}`);
        break;
      case 'eval':
        bar.finish(`loss ${lossEma.toFixed(3)}`);
        bar.log(
          `  after task ${e.task + 1}: accuracy ${pct(e.accuracy)}, forgetting ${pct(e.forgetting)}  [${e.accuracies.map((a) => a.toFixed(1)).join(' ')}]`,
        );
        break;
      case 'strategy-end':
        bar.finish();
        bar.log(
          e.status === 'failed'
            ? `  ${e.strategy} failed: ${e.error ?? 'unknown error'}`
            : `  ${e.strategy} ${e.status}: final accuracy ${pct(e.finalAccuracy)}, forgetting ${pct(e.forgetting)} (${e.seconds.toFixed(0)} s)`,
        );
        break;
      case 'run-end':
        bar.finish();
        break;
      default:
        break;
    }
  };
}
