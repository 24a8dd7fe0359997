// `npm run bench [-- section...]`: builds nothing itself (the npm script builds first), prints one figure per line,
// then PASS/MISS per goal. Exits non-zero when a goal is missed.

import { benchHeaderRead } from './header-read';
import { benchPageCost } from './page-cost';
import { benchPopupFlow } from './popup-flow';
import { Report } from './report';
import { benchSchedulerBurst } from './scheduler-burst';

const sections: Record<string, (report: Report) => Promise<void>> = {
  header: benchHeaderRead,
  scheduler: benchSchedulerBurst,
  popup: benchPopupFlow,
  page: benchPageCost,
};
// `npm run bench -- page scheduler` runs only those sections; no names, all of them.
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`Unknown bench sections: ${unknown.join(', ')} (known: ${Object.keys(sections).join(', ')})`);
  process.exit(2);
}
const report = new Report();
for (const [name, run] of Object.entries(sections)) {
  if (asked.length === 0 || asked.includes(name)) await run(report);
}
const passed = report.verdicts();
process.exit(passed ? 0 : 1);
