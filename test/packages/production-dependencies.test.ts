import { execFileSync } from 'node:child_process';

/** What a handler image must not carry: the broker runs beside the handlers, never inside one. */
const BROKER_ONLY = ['@eventline/broker', 'kafkajs', '@platformatic/kafka'];

interface NpmTree {
  dependencies?: Record<string, NpmTree>;
}

function npmJson(args: string[]): unknown {
  return JSON.parse(execFileSync('npm', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }));
}

/** Every package a workspace's production install brings in, as npm resolves the tree. */
function productionPackages(workspace: string): Set<string> {
  const tree = npmJson([
    'ls',
    '--omit=dev',
    '--all',
    '--json',
    '--workspace',
    workspace,
  ]) as NpmTree;
  const names = new Set<string>();
  const visit = (node: NpmTree) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      names.add(name);
      visit(child);
    }
  };
  visit(tree);
  return names;
}

const workspaces = npmJson(['query', '.workspace']) as Array<{ location: string }>;
const servicePackages = workspaces
  .map((w) => w.location)
  .filter((location) => location.startsWith('services/'));

describe('handler images carry the kit, not the broker', () => {
  it('finds the service packages', () => {
    expect(servicePackages).toEqual(expect.arrayContaining(['services/flags', 'services/orders']));
  });

  it.each(servicePackages)('%s has neither the broker nor a Kafka client in production', (pkg) => {
    const found = productionPackages(pkg);
    expect(found).toContain('@eventline/kit');
    expect(BROKER_ONLY.filter((name) => found.has(name))).toEqual([]);
  });

  it('sees transitive dependencies: the local runtime reaches Kafka through the broker', () => {
    const found = productionPackages('shared/runtime');
    expect(BROKER_ONLY.filter((name) => found.has(name))).toEqual([
      '@eventline/broker',
      '@platformatic/kafka',
    ]);
  });
});
