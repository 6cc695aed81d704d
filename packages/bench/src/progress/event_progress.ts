import type { TrainerEvent } from '@mamba-cl/cl-trainer';
import type { BenchEvent } from './bench_event.js';
import type { ProgressBar } from './progress_bar.js';

const pct = (v: number) => `${v.toFixed(2)}%`;

/**
 * Turns the {@link BenchEvent} stream of a run into progress bars and log lines.
 *
 * **Details**
 * One bar for pretraining and one per task (all epochs of the task, with the running loss and
 * images/s); strategy work at task boundaries (feature collection, projectors) as one line when it
 * finishes; after each evaluation one line with the accuracy on all seen classes, the forgetting and
 * the accuracy row.
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
  let stepsInTask = 0;
  let numTasks = 0;
  const ema = (loss: number) => {
    lossEma = Number.isNaN(lossEma) ? loss : 0.9 * lossEma + 0.1 * loss;
    return `loss ${lossEma.toFixed(3)}`;
  };
  const trainer = (strategy: string, e: TrainerEvent) => {
    switch (e.type) {
      case 'run-start':
        numTasks = e.numTasks;
        break;
      case 'task-start':
        numTasks = e.numTasks;
        stepsInTask = 0;
        lossEma = Number.NaN;
        break;
      case 'epoch-start':
        if (e.epoch === 0 || !bar.active) {
          const total = (e.steps ?? 0) * e.epochs;
          bar.start(`${strategy} task ${e.task + 1}/${numTasks}`, total);
          stepsInTask = e.epoch * (e.steps ?? 0);
        }
        break;
      case 'step': {
        stepsInTask += 1;
        const speed = ` ${e.imagesPerSec.toFixed(0)} img/s`;
        bar.update(stepsInTask, `${ema(e.loss)}${speed}`);
        break;
      }
      case 'boundary':
        if (e.done === e.total)
          bar.log(
            `  ${strategy} task ${e.task + 1}: ${e.phase} done (${e.total}, ${e.seconds.toFixed(1)} s)`,
          );
        break;
      case 'eval':
        bar.finish();
        bar.log(
          `  ${strategy} after task ${e.task + 1}: accuracy ${pct(e.accuracy)}, forgetting ${pct(e.forgetting)}  [${e.accuracies.map((a) => a.toFixed(1)).join(' ')}]`,
        );
        break;
      default:
        break;
    }
  };
  return (e) => {
    switch (e.type) {
      case 'run-start':
        bar.log(
          `${e.benchmark}, seed ${e.seed}: ${e.strategies.join(', ')} on ${e.numTasks} tasks → ${e.dir}`,
        );
        break;
      case 'phase':
        bar.log(`[${e.phase}] ${e.message}`);
        break;
      case 'pretrain-start':
        lossEma = Number.NaN;
        bar.start('pretrain', e.totalSteps);
        break;
      case 'pretrain-step':
        bar.update(e.step, ema(e.loss));
        break;
      case 'pretrain-end':
        bar.finish(`accuracy ${pct(e.accuracy)}`);
        break;
      case 'strategy-start':
        bar.log(`── ${e.strategy}`);
        break;
      case 'trainer':
        trainer(e.strategy, e.event);
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
