// The budget's reading of the server's word: the floor of a window's `r`, less what may not be
// counted in it yet (travelling, answered without headers, a stopped worker's orphans).

import { describe, expect, it } from 'vitest';
import { Budget } from '../../utils/worker/scheduler/budget';

const config = { quota: 60, windowMs: 10_000 };
const word = (remaining: number, resetSeconds: number) => ({
  remaining,
  resetSeconds,
  quota: 60,
  windowSeconds: 10,
});

describe('Budget', () => {
  it('spends a window to its last request: floor less travelling, exact once they are answered', () => {
    const budget = new Budget(config, undefined, 0);
    // 58 answered, the smallest r among them is 2; 2 more travelling.
    budget.learn(word(5, 10), 100, 0);
    budget.learn(word(2, 10), 120, 10);
    budget.learn(word(3, 10), 130, 5); // answered later, counted earlier: the floor stays 2
    expect(budget.remaining(140, 2)).toBe(0);
    expect(budget.waitsOnAnswers(140, 2)).toBe(true);
    expect(budget.nextSendAt(140, 2)).toBeGreaterThan(10_000);
    // Both answer: the floor is exact and two more may go now.
    budget.learn(word(1, 10), 150, 20);
    budget.learn(word(0, 10), 160, 30);
    expect(budget.remaining(170, 0)).toBe(0);
    const fresh = new Budget(config, undefined, 0);
    fresh.learn(word(2, 10), 100, 0);
    expect(fresh.remaining(110, 0)).toBe(2);
    expect(fresh.nextSendAt(110, 0)).toBe(110);
  });

  it("ignores a late answer from a window already over, and starts afresh with the next one's", () => {
    const budget = new Budget(config, undefined, 0);
    budget.learn(word(0, 1), 9_500, 9_000);
    expect(budget.remaining(9_600, 0)).toBe(0);
    // A request of the new window answers (r=59), then a late one of the old (r=0): it changes nothing.
    budget.learn(word(59, 10), 10_200, 10_150);
    budget.learn(word(0, 1), 10_210, 9_400);
    expect(budget.remaining(10_220, 0)).toBe(59);
  });

  it('counts an answer without the server word as maybe counted', () => {
    const budget = new Budget(config, undefined, 0);
    budget.learn(word(10, 10), 100, 0);
    budget.answeredBlind(200);
    expect(budget.remaining(300, 0)).toBe(9);
  });

  it("counts a stopped worker's travelling requests until an answer to a later request", () => {
    const before = new Budget(config, undefined, 0);
    before.learn(word(10, 10), 100, 0);
    const saved = before.snapshot(3);
    const after = new Budget(config, saved, 1_000);
    expect(after.remaining(1_100, 0)).toBe(7);
    // An answer to a request sent before the grace ended may not include them.
    after.learn(word(10, 9), 1_200, 1_100);
    expect(after.remaining(1_300, 0)).toBe(7);
    // One sent after it does: whichever of them arrived is in its r.
    after.learn(word(8, 4), 6_500, 6_100);
    expect(after.remaining(6_600, 0)).toBe(8);
  });

  it("believes a later request's answer that its window resets sooner (a 429 with its own t)", () => {
    const budget = new Budget({ quota: 500, windowMs: 300_000 }, undefined, 0);
    budget.learn({ remaining: 490, resetSeconds: 280 }, 1_000, 900);
    budget.learn({ remaining: 0, resetSeconds: 4 }, 2_000, 1_900);
    budget.pause(6_250);
    expect(budget.nextSendAt(2_100, 0)).toBe(6_250);
    expect(budget.nextSendAt(6_300, 0)).toBe(6_300);
  });
});
