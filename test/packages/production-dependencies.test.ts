import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../support/repository';

/** What a handler image must not carry: the broker runs beside the handlers, never inside one. */
const BROKER_ONLY = ['@eventline/broker', 'kafkajs', '@platformatic/kafka'];

interface NpmTree {
  dependencies?: Record<string, NpmTree>;
}

/** Every package a workspace's production install brings in, as npm resolves the tree. */
function productionPackages(workspace: string): Set<string> {
  const tree = JSON.parse(
    execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--workspace', workspace], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    }),
  ) as NpmTree;
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

const servicePackages = readdirSync(path.join(repositoryRoot(), 'services')).map(
  (name) => `services/${name}`,
);

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
