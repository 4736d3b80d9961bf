import { describe, expect, it } from 'vitest';
import { ReaderBudget } from './reader-budget.js';

describe('ReaderBudget', () => {
  it('caps readers and frees a slot on release', () => {
    const budget = new ReaderBudget(2, 1000);
    const a = budget.admit();
    const b = budget.admit();
    expect(a && b).toBeTruthy();
    expect(budget.admit()).toBeUndefined();
    a!.release();
    a!.release(); // twice counts once
    expect(budget.open).toBe(1);
    expect(budget.admit()).toBeDefined();
  });

  it('over the shared budget cuts the readers above their fair share, not those that keep up', () => {
    const budget = new ReaderBudget(10, 1000);
    const slow = budget.admit()!;
    const fast = budget.admit()!;
    expect(slow.update(900)).toBe(true); // under the total budget: fine, however unfair
    expect(fast.update(50)).toBe(true);
    expect(slow.update(990)).toBe(false); // total 1040 > 1000, and 990 > 1000 / 2
    expect(fast.update(60)).toBe(true); // total 1050 > 1000, but 60 is within its share
    slow.release();
    expect(budget.queuedBytes).toBe(60);
  });
});
