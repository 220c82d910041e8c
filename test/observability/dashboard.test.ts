import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface Dashboard {
  uid: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

/** The Prometheus names of the README's metrics table, histograms with their series suffixes. */
function documentedSeries(): Set<string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| metric (Prometheus name) |'));
  const names = new Set<string>();
  for (const line of table.split('\n')) {
    if (!line.startsWith('|')) break;
    const [, metric = '', kind = ''] = line.split('|');
    for (const [name] of metric.matchAll(/eventline_[a-z_]+/g)) {
      names.add(name);
      if (kind.includes('histogram'))
        for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

describe('the Grafana dashboard the chart ships', () => {
  const dashboard = JSON.parse(
    readFileSync(path.join(ROOT, 'charts/eventline/dashboards/eventline.json'), 'utf8'),
  ) as Dashboard;

  it('given its panels, then every series they query is one the README lists', () => {
    const documented = documentedSeries();
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) =>
        [...target.expr.matchAll(/eventline_[a-z_]+/g)].map(([n]) => n),
      ),
    );
    expect(queried.length).toBeGreaterThan(0);
    expect(queried.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('given the README table, then every metric it lists has a panel', () => {
    const queried = new Set(
      dashboard.panels
        .flatMap((panel) => panel.targets.map((target) => target.expr))
        .join(' ')
        .match(/eventline_[a-z_]+/g),
    );
    const bases = [...documentedSeries()].filter((name) => !/_(bucket|count|sum)$/.test(name));
    const shown = (name: string) =>
      [name, `${name}_bucket`, `${name}_count`].some((series) => queried.has(series));
    expect(bases.filter((name) => !shown(name))).toEqual([]);
  });
});
