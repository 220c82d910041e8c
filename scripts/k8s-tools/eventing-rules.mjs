// Checks rendered Knative Eventing objects against the rule table taken from Knative Eventing's
// webhook (shared/routing/src/knative-rules.ts), as knative-validate does for Serving.
// Usage: helm template eventline charts/eventline -n eventline | node scripts/k8s-tools/eventing-rules.mjs [namespace] [feature=enabled|disabled ...]
// Each feature=value is the cluster's config-features flag (Eventing's defaults otherwise), e.g.
// authentication-oidc=enabled, which the chart's EventPolicies need.
// Prints one line per refusal; exits 1 when there is any. Needs `npx tsc -b` first.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import routing from '@eventline/routing';

const [namespace = 'default', ...flags] = process.argv.slice(2);
const features = Object.fromEntries(flags.map((flag) => flag.split('=')));
const objects = parseAllDocuments(readFileSync(0, 'utf8'))
  .map((doc) => doc.toJS())
  .filter((object) => object !== null && typeof object === 'object');
const problems = routing.knativeProblems(objects, { namespace, features });
for (const problem of problems) console.log(routing.formatProblem(problem));
const checked = objects.filter((o) =>
  /^(eventing|sources)\.knative\.dev\/v1(alpha1)?$/.test(o.apiVersion),
);
console.log(`${checked.length} Knative Eventing object(s) checked, ${problems.length} refusal(s)`);
process.exitCode = problems.length > 0 ? 1 : 0;
