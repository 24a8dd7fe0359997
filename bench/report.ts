// Benchmark output: one figure per line, `name: value`, then PASS/MISS against each goal.

export interface Goal {
  name: string;
  value: number;
  /** Printed after the value. */
  unit?: string;
  /** The figure passes when the test holds. */
  goal?: { text: string; test: (value: number) => boolean; failing?: string };
}

export class Report {
  private readonly goals: Goal[] = [];

  figure(name: string, value: number, unit = '', goal?: Goal['goal']): void {
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(3);
    console.log(`${name}: ${shown}${unit ? ` ${unit}` : ''}`);
    this.goals.push({ name, value, unit, goal });
  }

  /** Prints every goal's verdict; returns true when all passed. */
  verdicts(): boolean {
    let all = true;
    for (const { name, value, goal } of this.goals) {
      if (!goal) continue;
      const pass = goal.test(value);
      all &&= pass;
      const why = goal.failing ? ` (a failing product: ${goal.failing})` : '';
      console.log(`${pass ? 'PASS' : 'MISS'} ${name} ${goal.text}${why}`);
    }
    return all;
  }
}

/** `failing` says what a broken product would show here, so a reader knows what the goal guards. */
export const atMost = (limit: number, failing?: string) => ({
  text: `<= ${limit}`,
  test: (v: number) => v <= limit,
  failing,
});
export const exactly = (target: number, failing?: string) => ({
  text: `= ${target}`,
  test: (v: number) => v === target,
  failing,
});
