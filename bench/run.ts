// `npm run bench`: builds nothing itself (the npm script builds first), prints one figure per line,
// then PASS/MISS per goal. Exits non-zero when a goal is missed.

import { benchHeaderRead } from './header-read';
import { benchPageCost } from './page-cost';
import { benchPopupFlow } from './popup-flow';
import { Report } from './report';
import { benchSchedulerBurst } from './scheduler-burst';

const report = new Report();
await benchHeaderRead(report);
await benchSchedulerBurst(report);
await benchPopupFlow(report);
await benchPageCost(report);
const passed = report.verdicts();
process.exit(passed ? 0 : 1);
