import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerEvent } from '@mamba-cl/cl-trainer';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchEvent } from '../progress/bench_event.js';
import { fakeResults } from '../testing_internal/fake_results.js';
import { csvField } from './csv_file.js';
import { LOG_FILES, runLogSink, summaryCsv } from './run_logs.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'run-logs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const t = (strategy: string, event: TrainerEvent): BenchEvent => ({ type: 'trainer', strategy, event });
const step = (task: number, s: number, g: number, loss: number): TrainerEvent => ({
  type: 'step',
  task,
  epoch: 0,
  step: s,
  globalStep: g,
  loss,
  lr: 0.01,
  imagesPerSec: 10,
  threads: 1,
});

function feed(dir: string, kinds: { csv: boolean; tensorboard: boolean }) {
  const sink = runLogSink(kinds);
  sink({ type: 'run-start', benchmark: 'b', seed: 7, strategies: ['a,b'], numTasks: 2, dir });
  sink(t('a,b', step(0, 0, 1, 2.5)));
  sink(t('a,b', step(0, 1, 2, 2.25)));
  sink(t('a,b', { type: 'epoch-end', task: 0, epoch: 0, meanLoss: 2.375, seconds: 1 }));
  sink(t('a,b', { type: 'eval', task: 0, accuracies: [80], accuracy: 80, forgetting: 0 }));
  sink(t('a,b', step(1, 0, 3, 1.5)));
  sink(t('a,b', { type: 'eval', task: 1, accuracies: [60, 90], accuracy: 75, forgetting: 20 }));
  sink({ type: 'run-end', status: 'complete', seconds: 2 });
}

describe('run logs', () => {
  it('writes metrics.csv and loss.csv with a header, quoting fields that need it', () => {
    const dir = tmp();
    feed(dir, { csv: true, tensorboard: false });
    expect(readFileSync(join(dir, LOG_FILES.metrics), 'utf8')).toBe(
      'seed,strategy,task,accuracy,forgetting,acc_task_1,acc_task_2\n7,"a,b",1,80,0,80,\n7,"a,b",2,75,20,60,90\n',
    );
    expect(readFileSync(join(dir, LOG_FILES.loss), 'utf8')).toBe(
      'seed,strategy,task,epoch,step,global_step,loss,lr\n7,"a,b",1,1,1,1,2.5,0.01\n7,"a,b",1,1,2,2,2.25,0.01\n7,"a,b",2,1,1,3,1.5,0.01\n',
    );
    expect(existsSync(join(dir, LOG_FILES.tensorboard))).toBe(false);
    // A resumed run appends rows under the same header.
    feed(dir, { csv: true, tensorboard: false });
    expect(readFileSync(join(dir, LOG_FILES.loss), 'utf8').match(/^seed,/gm)).toHaveLength(1);
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it('writes one TensorBoard event file per strategy, and nothing when both logs are off', () => {
    const dir = tmp();
    feed(dir, { csv: false, tensorboard: true });
    expect(existsSync(join(dir, LOG_FILES.metrics))).toBe(false);
    const files = readdirSync(join(dir, LOG_FILES.tensorboard, 'a_b'));
    expect(files).toHaveLength(1);
    const bytes = readFileSync(join(dir, LOG_FILES.tensorboard, 'a_b', files[0]));
    const text = bytes.toString('latin1');
    for (const tag of [
      'brain.Event:2',
      'train/loss',
      'train/lr',
      'train/epoch_loss',
      'eval/accuracy',
      'eval/accuracy_task_2',
    ])
      expect(text).toContain(tag);
    const off = tmp();
    feed(off, { csv: false, tensorboard: false });
    expect(readdirSync(off)).toEqual([]);
  });

  it('writes summary.csv with every final metric of results.json at the end of the run', () => {
    const results = fakeResults();
    const csv = summaryCsv(results).trim().split('\n');
    expect(csv[0]).toBe(
      'seed,strategy,status,tasks_done,final_accuracy,average_incremental_accuracy,forgetting,forgetting_standard,backward_transfer,seconds,accuracy_after_task_1,accuracy_after_task_2,accuracy_after_task_3,forgetting_after_task_1,forgetting_after_task_2,forgetting_after_task_3',
    );
    expect(csv).toHaveLength(1 + results.strategies.length);
    const s = results.strategies[0];
    expect(csv[1].split(',').slice(0, 5)).toEqual([
      '2024',
      s.strategy,
      s.status,
      String(s.tasksDone),
      String(s.finalAccuracy),
    ]);
    expect(csv[1].split(',')[10]).toBe(String(s.accuracyAfterTask[0]));
    const dir = tmp();
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
    feed(dir, { csv: true, tensorboard: false });
    expect(readFileSync(join(dir, LOG_FILES.summary), 'utf8')).toBe(summaryCsv(results));
  });
});
