import { describe, expect, it } from 'vitest';
import { MultiStepLR } from './multi_step_lr.js';

describe('MultiStepLR', () => {
  it('reproduces timm’s off-by-one: 4/3/3 for milestones [5, 8] over 10 epochs', () => {
    const f = MultiStepLR.epochFactors(10, { milestones: [5, 8], gamma: 0.1 });
    const rounded = f.map((x) => Number(x.toPrecision(6)));
    expect(rounded).toEqual([1, 1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01]);
  });

  it('step(e) sets γ^bisect_right(milestones, e+1)', () => {
    const s = new MultiStepLR({ milestones: [5, 8], gamma: 0.5 });
    expect(s.factor).toBe(1);
    s.step(3);
    expect(s.factor).toBe(1);
    s.step(4);
    expect(s.factor).toBe(0.5);
    s.step(7);
    expect(s.factor).toBe(0.25);
    s.step(100);
    expect(s.factor).toBe(0.25);
    expect(() => new MultiStepLR({ milestones: [8, 5] })).toThrow(/ascend/);
  });
});
