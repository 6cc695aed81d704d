import { describe, expect, it } from 'vitest';
import { eventProgress } from './event_progress.js';
import { ProgressBar } from './progress_bar.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

describe('ProgressBar', () => {
  it('prints plain lines (start, quarters, end) when not a TTY', () => {
    const { out, chunks } = sink(false);
    let t = 0;
    const bar = new ProgressBar(out, { now: () => t });
    bar.start('task 1/5', 8);
    for (let i = 1; i <= 8; i++) {
      t += 500;
      bar.update(i, 'loss 0.5');
    }
    bar.finish('done');
    expect(chunks.every((c) => !c.includes('\r'))).toBe(true);
    expect(chunks[0]).toBe('task 1/5: started (8 steps)\n');
    expect(chunks.filter((c) => / (25|50|75)% /.test(c))).toHaveLength(3);
    expect(chunks.at(-1)).toMatch(/^task 1\/5 █+ 100% 8\/8 0:04 2\.0 it\/s done\n$/);
  });
  it('redraws one line with \\r on a TTY, throttled, and keeps it under logged lines', () => {
    const { out, chunks } = sink(true);
    let t = 0;
    const bar = new ProgressBar(out, { now: () => t, minIntervalMs: 100 });
    bar.start('pretrain', 100);
    for (let i = 1; i <= 50; i++) {
      t += 10;
      bar.update(i);
    }
    const draws = chunks.filter((c) => c.startsWith('\r'));
    expect(draws.length).toBeGreaterThan(2);
    expect(draws.length).toBeLessThan(10);
    bar.log('hello');
    expect(chunks.at(-2)).toBe('\r\x1b[2Khello\n');
    expect(chunks.at(-1)?.startsWith('\r\x1b[2Kpretrain ')).toBe(true);
    expect(chunks.at(-1)).toMatch(/ 50% 50\/100/);
    bar.finish();
    expect(chunks.at(-1)).toMatch(/100% 100\/100.*\n$/);
  });
});

describe('eventProgress', () => {
  it('renders a typed event stream (bench + trainer events) as bars and result lines', () => {
    const { out, chunks } = sink(false);
    const on = eventProgress(new ProgressBar(out, { now: () => 0 }));
    on({
      type: 'run-start',
      benchmark: 'default',
      seed: 2024,
      strategies: ['mamba-cl'],
      numTasks: 2,
      dir: 'runs/x',
    });
    on({ type: 'strategy-start', strategy: 'mamba-cl' });
    const tr = (event: Record<string, unknown>) =>
      on({ type: 'trainer', strategy: 'mamba-cl', event: event as never });
    tr({ type: 'run-start', numTasks: 2, strategy: 'mamba-cl' });
    tr({ type: 'task-start', task: 0, numTasks: 2, classes: [3, 1] });
    for (let e = 0; e < 2; e++) {
      tr({ type: 'epoch-start', task: 0, epoch: e, epochs: 2, lr: 1e-3, steps: 2 });
      for (let s = 0; s < 2; s++)
        tr({ type: 'step', task: 0, epoch: e, step: s, steps: 2, loss: 1, imagesPerSec: 50, threads: 1 });
    }
    tr({ type: 'boundary', task: 0, phase: 'features', done: 1, total: 3, seconds: 1 });
    tr({ type: 'boundary', task: 0, phase: 'features', done: 3, total: 3, seconds: 2 });
    tr({ type: 'eval', task: 0, accuracies: [97.5], accuracy: 97.5, forgetting: 0 });
    on({
      type: 'strategy-end',
      strategy: 'mamba-cl',
      status: 'partial',
      finalAccuracy: 97.5,
      forgetting: 0,
      seconds: 3,
    });
    const text = chunks.join('');
    expect(text).toContain('default, seed 2024: mamba-cl on 2 tasks → runs/x');
    expect(text).toContain('mamba-cl task 1/2: started (4 steps)');
    expect(text).toMatch(/100% 4\/4 .*loss 1\.000 50 img\/s/);
    expect(text).toContain('mamba-cl task 1: features done (3, 2.0 s)');
    expect(text).not.toContain('features done (1');
    expect(text).toContain('mamba-cl after task 1: accuracy 97.50%, forgetting 0.00%  [97.5]');
    expect(text).toContain('mamba-cl partial: final accuracy 97.50%');
  });
});
