// Checks rendered Knative Eventing objects against the rule table taken from Knative Eventing's
// webhook (shared/routing/src/knative-rules.ts), as knative-validate does for Serving.
// Usage: helm template eventline charts/eventline -n eventline | node scripts/k8s-tools/eventing-rules.mjs [namespace]
// Prints one line per refusal; exits 1 when there is any. Needs `npx tsc -b` first.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import routing from '@eventline/routing';

const namespace = process.argv[2] ?? 'default';
const objects = parseAllDocuments(readFileSync(0, 'utf8'))
  .map((doc) => doc.toJS())
  .filter((object) => object !== null && typeof object === 'object');
const problems = routing.knativeProblems(objects, { namespace });
for (const problem of problems) console.log(routing.formatProblem(problem));
const checked = objects.filter((o) => /^(eventing|sources)\.knative\.dev\/v1$/.test(o.apiVersion));
console.log(`${checked.length} Knative Eventing object(s) checked, ${problems.length} refusal(s)`);
process.exitCode = problems.length > 0 ? 1 : 0;
