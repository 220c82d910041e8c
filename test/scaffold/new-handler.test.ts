// `npm run new:handler` on a copy of the files it edits: the folder it writes type-checks with the
// project's compiler options, the service loads with the new handler, and routing.yaml loads with
// the new route; run again it changes nothing; bad arguments and existing handlers are refused.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import type { ServiceDefinition } from '@eventline/kit';
import { loadRouting } from '@eventline/routing';

const repo = path.resolve(__dirname, '../..');
const script = path.join(repo, 'scripts/new-handler.mjs');

function newHandler(root: string, ...args: string[]) {
  const run = spawnSync('node', [script, '--root', root, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** Every file of the copy and its content, to tell whether a run changed anything. */
function snapshot(root: string): Map<string, string> {
  const dirs = ['services', 'charts'].map((d) => path.join(root, d));
  return new Map(dirs.flatMap(filesUnder).map((file) => [file, readFileSync(file, 'utf8')]));
}

/** Type errors of a service package's sources, with the project's own compiler options. */
function typeErrors(root: string, pkg: string): string[] {
  const base = ts.readConfigFile(path.join(repo, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, repo);
  const sources = filesUnder(path.join(root, 'services', pkg, 'src')).filter((f) =>
    f.endsWith('.ts'),
  );
  const program = ts.createProgram(sources, {
    ...options,
    composite: false,
    incremental: false,
    noEmit: true,
    types: ['node', 'jest'],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('npm run new:handler', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'eventline-scaffold-'));
    for (const pkg of ['orders', 'flags']) {
      cpSync(path.join(repo, 'services', pkg, 'src'), path.join(root, 'services', pkg, 'src'), {
        recursive: true,
      });
    }
    cpSync(
      path.join(repo, 'charts/eventline/routing.yaml'),
      path.join(root, 'charts/eventline/routing.yaml'),
    );
    // The copy resolves its dependencies (and the built @eventline libraries) as the repo does.
    symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('given a trigger, an edge and a job handler scaffolded', () => {
    const original = loadRouting();
    let trigger: ReturnType<typeof newHandler>;
    let edge: ReturnType<typeof newHandler>;
    let job: ReturnType<typeof newHandler>;

    beforeAll(() => {
      trigger = newHandler(root, 'orders', 'audit-order', 'dev.eventline.orders.placed');
      edge = newHandler(root, 'flags', 'flag-report', 'edge');
      job = newHandler(root, 'orders', 'nightly-audit', 'job');
    });

    it('then both runs succeed and say what they wrote', () => {
      expect(trigger).toMatchObject({ status: 0, stderr: '' });
      expect(trigger.stdout).toContain('wrote services/orders/src/handlers/audit-order/handler.ts');
      expect(trigger.stdout).toContain('wrote services/orders/src/service.ts');
      expect(trigger.stdout).toContain('wrote charts/eventline/routing.yaml');
      expect(edge).toMatchObject({ status: 0, stderr: '' });
      expect(job).toMatchObject({ status: 0, stderr: '' });
    });

    it('then routing.yaml loads with both routes and every other route as it was', () => {
      const routing = loadRouting(path.join(root, 'charts/eventline/routing.yaml'));
      const route = (name: string) => routing.handlers.find((h) => h.name === name);
      expect(route('audit-order')).toMatchObject({
        package: 'orders',
        kind: 'trigger',
        type: 'dev.eventline.orders.placed',
      });
      expect(route('flag-report')).toMatchObject({
        package: 'flags',
        kind: 'edge',
        paths: ['/flag-report'],
      });
      expect(route('nightly-audit')).toMatchObject({
        package: 'orders',
        kind: 'job',
        type: 'dev.knative.sources.ping',
        ping: { schedule: '@hourly' },
      });
      expect(
        routing.handlers.filter(
          (h) => !['audit-order', 'flag-report', 'nightly-audit'].includes(h.name),
        ),
      ).toEqual(original.handlers);
    });

    it('then each service type-checks with its new handler folder', () => {
      expect(typeErrors(root, 'orders')).toEqual([]);
      expect(typeErrors(root, 'flags')).toEqual([]);
    });

    it('then each service loads with the new handler in its list, as routing says', () => {
      const load = (pkg: string) =>
        (
          require(path.join(root, 'services', pkg, 'src', 'service.ts')) as Record<
            string,
            ServiceDefinition
          >
        )[`${pkg}Service`] as ServiceDefinition;
      const audit = load('orders').handlers.find((h) => h.name === 'audit-order');
      expect(audit?.accepts?.type).toBe('dev.eventline.orders.placed');
      const report = load('flags').handlers.find((h) => h.name === 'flag-report');
      expect(report?.routes).toBeDefined();
      const nightly = load('orders').handlers.find((h) => h.name === 'nightly-audit');
      expect(nightly?.job).toBeDefined();
    });

    it('then a handler is one folder plus one routing entry in under 60 lines', () => {
      const routing = readFileSync(path.join(root, 'charts/eventline/routing.yaml'), 'utf8');
      const routeLines = (name: string) =>
        (new RegExp(`^  ${name}:\n(    .*\n)*`, 'm').exec(routing)?.[0] ?? '').split('\n').length -
        1;
      for (const [pkg, name] of [
        ['orders', 'audit-order'],
        ['flags', 'flag-report'],
        ['orders', 'nightly-audit'],
      ] as const) {
        const files = filesUnder(path.join(root, 'services', pkg, 'src/handlers', name));
        expect(files.map((f) => path.basename(f)).sort()).toEqual([
          'decider.test.ts',
          'decider.ts',
          'handler.ts',
        ]);
        const folderLines = files.reduce(
          (n, f) => n + readFileSync(f, 'utf8').trimEnd().split('\n').length,
          0,
        );
        expect(routeLines(name)).toBeGreaterThan(0);
        expect(folderLines + routeLines(name)).toBeLessThan(60);
      }
    });

    it('when run again, then it finds everything in place and changes nothing', () => {
      const before = snapshot(root);
      const again = newHandler(root, 'orders', 'audit-order', 'dev.eventline.orders.placed');
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('audit-order is in place already; nothing to do');
      expect(snapshot(root)).toEqual(before);
    });
  });

  it.each([
    [
      ['orders', 'reserve-inventory', 'dev.eventline.inventory.reserve-requested'],
      'reserve-inventory is a handler already',
    ],
    [
      ['flags', 'orders-api', 'edge'],
      'orders-api is a handler already: routing.yaml routes it (package orders)',
    ],
    [['shipping', 'ship-it', 'edge'], 'domain "shipping": no service package services/shipping'],
    [['orders', 'Audit_Order', 'edge'], 'name "Audit_Order": lower-case letters and digits'],
    [
      ['orders', 'audit-trail', 'trigger'],
      'type "trigger": neither "edge", "job" nor a type of the event catalog',
    ],
    [['orders', 'audit-trail'], 'expected 3 arguments, got 2'],
  ])(
    'given %j, when run, then it refuses naming what is wrong and changes nothing',
    (args, reason) => {
      const before = snapshot(root);
      const refused = newHandler(root, ...args);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(reason);
      expect(refused.stderr).toContain('usage: npm run new:handler');
      expect(snapshot(root)).toEqual(before);
    },
  );
});
