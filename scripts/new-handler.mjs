// Scaffolds a handler: `npm run new:handler -- <domain> <name> <type> [--root <dir>]`.
// Writes services/<domain>/src/handlers/<name>/ (handler, decider, spec), adds the handler to the
// service's defineService list and routes it in charts/eventline/routing.yaml. Every check runs
// before anything is written; run again, it finds everything in place and changes nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parse, stringify } from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run new:handler -- <domain> <name> <type> [--root <dir>]
  <domain>  a service package under services/, e.g. orders
  <name>    the handler's name, lower-case words joined by "-", e.g. audit-order
  <type>    the CloudEvent type it handles, from the event catalog (a trigger),
            "edge" for an HTTP edge serving /<name>,
            or "job" for periodic work on a PingSource (hourly; edit its schedule in routing.yaml)`;

class Refusal extends Error {}

function parseArguments(argv) {
  const args = [...argv];
  let root = repo;
  const rootAt = args.indexOf('--root');
  if (rootAt >= 0) {
    if (!args[rootAt + 1]) throw new Refusal('--root needs a directory');
    root = path.resolve(args[rootAt + 1]);
    args.splice(rootAt, 2);
  }
  if (args.length !== 3) throw new Refusal(`expected 3 arguments, got ${args.length}`);
  const [domain, name, type] = args;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 63)
    throw new Refusal(`name "${name}": lower-case letters and digits joined by "-", at most 63`);
  return { root, domain, name, type };
}

/** The catalog event a trigger accepts, with the name `@eventline/events` exports it by. */
function catalogEvent(type) {
  let events;
  try {
    events = createRequire(import.meta.url)(path.join(repo, 'shared/events'));
  } catch {
    throw new Refusal('the event catalog is not built: run npm run build');
  }
  const exported = Object.entries(events).find(
    ([, value]) => typeof value === 'object' && value?.type === type && 'schema' in value,
  );
  if (!exported) {
    const known = events.eventCatalog.map((e) => e.type).join(', ');
    throw new Refusal(
      `type "${type}": neither "edge", "job" nor a type of the event catalog (${known})`,
    );
  }
  return exported[0];
}

const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_, _dash, c) => c.toUpperCase());
const camel = (name) => pascal(name).replace(/^./, (c) => c.toLowerCase());

/** decider.ts: the handler's decision over `data`, counting what it decided. */
function deciderSource({ Command, decider, data, what, imports = '' }) {
  return `import type { Decider } from '@eventline/eventstore';
${imports}
export type ${Command} = { type: '${Command}'; data: ${data} };
export type ${Command}Event = { type: '${Command}Decided'; data: ${data} };
export type ${Command}State = { decided: number };

/** What ${what}. */
export const ${decider} = {
  initialState: (): ${Command}State => ({ decided: 0 }),
  evolve: (state: ${Command}State): ${Command}State => ({ decided: state.decided + 1 }),
  decide: ({ data }: ${Command}): ${Command}Event[] => [{ type: '${Command}Decided', data }],
} satisfies Decider<${Command}State, ${Command}, ${Command}Event>;
`;
}

function triggerFiles({ name, type }, event) {
  const [Command, decider, handler] = [pascal(name), `${camel(name)}Decider`, camel(name)];
  const data = `DataOf<typeof ${event}>`;
  return {
    'decider.ts': deciderSource({
      Command,
      decider,
      data,
      what: `${name} decides for each ${type}`,
      imports: `import type { DataOf, ${event} } from '@eventline/events';\n`,
    }),
    'decider.test.ts': `import { deciderSpec } from '@eventline/eventstore';
import type { DataOf, ${event} } from '@eventline/events';
import { ${decider} } from './decider';

const spec = deciderSpec(${decider});
const data = {} as ${data};

describe('${name}', () => {
  it('given nothing yet, when ${type} arrives, then it is decided', () => {
    spec.given([]).when({ type: '${Command}', data }).then([{ type: '${Command}Decided', data }]);
  });
});
`,
    'handler.ts': `import { ${event} } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { ${decider} } from './decider';

/** Handles ${type}: load with ctx.tx, decide, persist with ctx.tx, emit. */
export const ${handler} = defineHandler({
  name: '${name}',
  accepts: ${event},
  async handle(data, { log }) {
    const events = ${decider}.decide({ type: '${Command}', data });
    log.info({ events }, '${name} decided');
  },
});
`,
  };
}

function edgeFiles({ name }) {
  const [Command, decider, handler] = [pascal(name), `${camel(name)}Decider`, camel(name)];
  return {
    'decider.ts': deciderSource({
      Command,
      decider,
      data: 'unknown',
      what: `${name} decides for each request`,
    }),
    'decider.test.ts': `import { deciderSpec } from '@eventline/eventstore';
import { ${decider} } from './decider';

const spec = deciderSpec(${decider});

describe('${name}', () => {
  it('given nothing yet, when a request arrives, then it is decided', () => {
    const data = { asked: true };
    spec.given([]).when({ type: '${Command}', data }).then([{ type: '${Command}Decided', data }]);
  });
});
`,
    'handler.ts': `import { defineEdge } from '@eventline/kit';
import { ${decider} } from './decider';

/** The ${name} HTTP edge: POST /${name} runs once per Idempotency-Key. */
export const ${handler} = defineEdge({
  name: '${name}',
  routes(router, { transact }) {
    router.post('/${name}', async (req, res) => {
      const events = ${decider}.decide({ type: '${Command}', data: req.body });
      const answer = await transact(async () => ({ result: { events } }), {
        idempotencyKey: { req },
      });
      res.status(202).json(answer);
    });
  },
});
`,
  };
}

function jobFiles({ name }) {
  const [Command, decider, handler] = [pascal(name), `${camel(name)}Decider`, camel(name)];
  return {
    'decider.ts': deciderSource({
      Command,
      decider,
      data: '{ scheduledAt: string }',
      what: `${name} does on each tick of its schedule`,
    }),
    'decider.test.ts': `import { deciderSpec } from '@eventline/eventstore';
import { ${decider} } from './decider';

const spec = deciderSpec(${decider});

describe('${name}', () => {
  it('given no run yet, when the schedule ticks, then it is decided', () => {
    const data = { scheduledAt: '2026-01-01T00:00:00Z' };
    spec.given([]).when({ type: '${Command}', data }).then([{ type: '${Command}Decided', data }]);
  });
});
`,
    'handler.ts': `import { defineJob } from '@eventline/kit';
import { ${decider} } from './decider';

/** Periodic work: one run per PingSource tick; a repeated or overlapping run must be harmless. */
export const ${handler} = defineJob({
  name: '${name}',
  async run({ event, log }) {
    const scheduledAt = event.time ?? new Date().toISOString();
    const events = ${decider}.decide({ type: '${Command}', data: { scheduledAt } });
    log.info({ events }, '${name} decided');
    return { decided: events.length };
  },
});
`,
  };
}

function routeOf({ domain, name, type }) {
  if (type === 'edge')
    return {
      package: domain,
      kind: 'edge',
      description: `HTTP edge: POST /${name}`,
      paths: [`/${name}`],
    };
  if (type === 'job')
    return { package: domain, kind: 'job', schedule: '@hourly', description: `runs ${name}` };
  return { package: domain, kind: 'trigger', type, description: `handles ${type}` };
}

async function formatted(file, text) {
  const options = await prettier.resolveConfig(path.join(repo, 'package.json'));
  return prettier.format(text, { ...options, filepath: file });
}

/** The changes to make, each checked against what is there: [file, new text] pairs. */
async function plan(args) {
  const { root, domain, name, type } = args;
  const serviceFile = path.join(root, 'services', domain, 'src', 'service.ts');
  if (!existsSync(serviceFile)) {
    const known = readdirSync(path.join(root, 'services')).join(', ');
    throw new Refusal(
      `domain "${domain}": no service package services/${domain} (one of: ${known})`,
    );
  }
  const routingFile = path.join(root, 'charts', 'eventline', 'routing.yaml');
  const routing = readFileSync(routingFile, 'utf8');
  const routed = parse(routing).handlers?.[name];
  const route = routeOf(args);
  if (routed && JSON.stringify(routed) !== JSON.stringify(route))
    throw new Refusal(
      `${name} is a handler already: routing.yaml routes it (package ${routed.package})`,
    );

  const folder = path.join(root, 'services', domain, 'src', 'handlers', name);
  const files =
    type === 'edge'
      ? edgeFiles(args)
      : type === 'job'
        ? jobFiles(args)
        : triggerFiles(args, catalogEvent(type));
  const changes = [];
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(folder, file);
    const content = await formatted(target, text);
    if (!existsSync(target)) changes.push([target, content]);
    else if (readFileSync(target, 'utf8') !== content)
      throw new Refusal(`${name} is a handler already: ${path.relative(root, folder)} exists`);
  }

  const service = readFileSync(serviceFile, 'utf8');
  const importLine = `import { ${camel(name)} } from './handlers/${name}/handler';`;
  if (!service.includes(importLine)) {
    const list = /handlers: \[([^\]]*)\]/.exec(service);
    if (!list) throw new Refusal(`${path.relative(root, serviceFile)}: no "handlers: [...]" list`);
    const names = list[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const lastImport = [...service.matchAll(/^import [^;]*;\n/gm)].at(-1);
    const end = (lastImport?.index ?? 0) + (lastImport?.[0].length ?? 0);
    const withImport = `${service.slice(0, end)}${importLine}\n${service.slice(end)}`;
    const edited = withImport.replace(list[0], `handlers: [${[...names, camel(name)].join(', ')}]`);
    changes.push([serviceFile, await formatted(serviceFile, edited)]);
  }

  if (!routed) {
    // Appended as text, since a YAML round trip would restyle the whole file: handlers must be
    // the file's last top-level key for the entry to land in it.
    const lastKey = [...routing.matchAll(/^([a-z]\w*):/gm)].at(-1)?.[1];
    if (lastKey !== 'handlers')
      throw new Refusal('routing.yaml: handlers is not its last top-level key');
    const entry = stringify({ [name]: route })
      .replace(/^/gm, '  ')
      .trimEnd();
    changes.push([routingFile, `${routing.trimEnd()}\n${entry}\n`]);
  }
  return changes;
}

try {
  const args = parseArguments(process.argv.slice(2));
  const changes = await plan(args);
  for (const [file, text] of changes) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`new-handler: wrote ${path.relative(args.root, file)}`);
  }
  console.log(
    changes.length === 0
      ? `new-handler: ${args.name} is in place already; nothing to do`
      : `new-handler: ${args.name} scaffolded; write its decision in decider.ts, then npm test`,
  );
} catch (err) {
  if (!(err instanceof Refusal)) throw err;
  console.error(`new-handler: ${err.message}\n${USAGE}`);
  process.exit(1);
}
