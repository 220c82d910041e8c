// The dependency audit CI runs: `npm audit --omit=dev`, failing on any high or critical advisory
// in what the images ship. Exit codes: 0 none, 1 some (each named), 2 the advisory service did not
// answer (the audit could not be made, which is not the same as finding nothing).
import { spawnSync } from 'node:child_process';

const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const reason = report?.message ?? audit.stderr.trim().split('\n').pop() ?? 'no answer';
  console.error(`audit: npm audit could not read the advisories: ${reason}`);
  process.exit(2);
}
const serious = Object.values(report.vulnerabilities ?? {}).filter((v) =>
  ['high', 'critical'].includes(v.severity),
);
for (const v of serious) {
  const via = v.via.map((a) => (typeof a === 'string' ? a : `${a.title} (${a.url})`)).join('; ');
  console.error(
    `audit: ${v.severity} ${v.name} ${v.range}: ${via}; fix: ${JSON.stringify(v.fixAvailable)}`,
  );
}
console.error(
  `audit: ${counts.critical} critical, ${counts.high} high, ${counts.moderate} moderate, ${counts.low} low in production dependencies`,
);
process.exit(serious.length > 0 ? 1 : 0);
