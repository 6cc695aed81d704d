import { describe, expect, it } from 'vitest';
import { SeededRng } from './seeded_rng.js';

describe('SeededRng', () => {
  it('is reproducible, restorable and derives independent streams', () => {
    const a = new SeededRng(7);
    const b = new SeededRng(7);
    const xs = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(xs);
    const saved = a.state;
    const y = a.next();
    a.state = saved;
    expect(a.next()).toBe(y);
    expect(SeededRng.derive(1, 'head', 0).next()).not.toBe(SeededRng.derive(1, 'head', 1).next());
    expect(SeededRng.derive(1, 'head', 0).next()).toBe(SeededRng.derive(1, 'head', 0).next());
    for (let i = 0; i < 1000; i++) {
      const u = a.uniform(-2, 3);
      expect(u >= -2 && u < 3).toBe(true);
    }
    expect(new SeededRng(3).shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
