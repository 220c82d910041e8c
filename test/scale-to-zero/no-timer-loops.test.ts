import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../support/repository';

const root = repositoryRoot();

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

/** Every workspace package by name, with the folder it lives in. */
function workspaces(): Map<string, { dir: string; manifest: Manifest }> {
  const found = new Map<string, { dir: string; manifest: Manifest }>();
  for (const parent of ['shared', 'services']) {
    for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(root, parent, entry.name);
      try {
        const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
        found.set(manifest.name, { dir, manifest });
      } catch {
        // not a package
      }
    }
  }
  return found;
}

/** A service package and the workspace libraries its image carries, transitively. */
function carriedBy(service: string, all: ReturnType<typeof workspaces>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !all.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(all.get(name)!.manifest.dependencies ?? {})) visit(dep);
  };
  visit(service);
  return [...seen];
}

function sources(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  walk(path.join(dir, 'src'));
  return files;
}

describe('scale to zero: nothing in a handler image runs without an event', () => {
  const all = workspaces();
  const services = [...all.keys()].filter((name) => name.startsWith('@eventline/service-'));

  it.each(services)('%s and the libraries it carries start no timer loop', (service) => {
    const loops = carriedBy(service, all)
      .flatMap((name) => sources(all.get(name)!.dir))
      .filter((file) => /\bsetInterval\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(loops).toEqual([]);
  });

  it('looks at every service package and at the kit they all carry', () => {
    expect(services.length).toBeGreaterThanOrEqual(4);
    for (const service of services) expect(carriedBy(service, all)).toContain('@eventline/kit');
  });
});
