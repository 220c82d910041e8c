// Records the events real tests emit, as the contract tests' samples: runs the system suites with
// EVENTLINE_CONTRACT_SAMPLES set (every handler appends what it emits), then keeps a few samples
// of each producer and type, of as many shapes (fields present) as the tests produced, in
// test/contracts/samples.json.
// Usage: npm run contracts:record [-- <jest paths>]   (needs the servers, as npm test does)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const suites = process.argv.slice(2);
const PER_SHAPE = 1;
const PER_TYPE = 4;
const dir = mkdtempSync(path.join(tmpdir(), 'eventline-contract-samples-'));
try {
  console.error(`contracts: running the system tests, recording what each handler emits in ${dir}`);
  const run = spawnSync(
    'npx',
    [
      'jest',
      ...(suites.length > 0
        ? suites
        : ['test/orders', 'test/fraud', 'test/telemetry', 'test/flags']),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, EVENTLINE_CONTRACT_SAMPLES: dir } },
  );
  if (run.status !== 0)
    console.error('contracts: some tests failed; keeping what the others emitted');

  /** The paths of the fields an event's data has, which tell its shape. */
  const shapeOf = (value, at = '') =>
    value && typeof value === 'object'
      ? Object.entries(value)
          .flatMap(([key, v]) => [
            `${at}/${Array.isArray(value) ? '*' : key}`,
            ...shapeOf(v, `${at}/${Array.isArray(value) ? '*' : key}`),
          ])
          .filter((p, i, all) => all.indexOf(p) === i)
          .sort()
      : [];
  const samples = {};
  for (const file of readdirSync(dir).sort()) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean)) {
      const { producer, type, dataschema, data } = JSON.parse(line);
      const kept = ((samples[producer] ??= {})[type] ??= []);
      const shape = shapeOf(data).join(' ');
      if (kept.length >= PER_TYPE || kept.filter((s) => s.shape === shape).length >= PER_SHAPE)
        continue;
      kept.push({ shape, dataschema, data });
    }
  }
  const sorted = Object.fromEntries(
    Object.keys(samples)
      .sort()
      .map((producer) => [
        producer,
        Object.fromEntries(
          Object.keys(samples[producer])
            .sort()
            .map((type) => [
              type,
              samples[producer][type].map(({ dataschema, data }) => ({ dataschema, data })),
            ]),
        ),
      ]),
  );
  const out = path.join(root, 'test/contracts/samples.json');
  writeFileSync(out, `${JSON.stringify(sorted, null, 2)}\n`);
  spawnSync('npx', ['prettier', '--log-level', 'warn', '--write', out], {
    cwd: root,
    stdio: 'inherit',
  });
  const count = Object.values(sorted).flatMap((types) => Object.values(types).flat()).length;
  console.error(
    `contracts: wrote ${count} samples of ${Object.keys(sorted).length} producers to ${path.relative(root, out)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
