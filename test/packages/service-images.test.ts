import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testServerEnv } from '@eventline/testing';
import { repositoryRoot } from '../support/repository';

const root = repositoryRoot();
const servers = testServerEnv();
const servicePackages = readdirSync(path.join(root, 'services'));

/**
 * The files docker/Dockerfile puts in a service package's image, laid out outside the repository
 * so nothing resolves to its development install: the production install
 * (docker/install-production-deps.sh, from the lock file and the manifests of shared/ and
 * services/) and the compiled output of the workspaces it links.
 */
function imageFiles(servicePackage: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `eventline-image-${servicePackage}-`));
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(path.join(root, file), path.join(dir, file));
  }
  for (const top of ['shared', 'services']) {
    for (const workspace of readdirSync(path.join(root, top))) {
      mkdirSync(path.join(dir, top, workspace), { recursive: true });
      copyFileSync(
        path.join(root, top, workspace, 'package.json'),
        path.join(dir, top, workspace, 'package.json'),
      );
    }
  }
  execFileSync('sh', [path.join(root, 'docker/install-production-deps.sh'), servicePackage], {
    cwd: dir,
    env: { ...process.env, npm_config_prefer_offline: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const linked = readFileSync(path.join(dir, 'linked-workspaces.txt'), 'utf8').split('\n');
  for (const workspace of linked.filter(Boolean)) {
    cpSync(path.join(root, workspace, 'dist'), path.join(dir, workspace, 'dist'), {
      recursive: true,
    });
  }
  return dir;
}

describe('a service package runs from its production install alone', () => {
  it.each(servicePackages)(
    'services/%s migrates from its image files alone',
    async (servicePackage) => {
      const dir = imageFiles(servicePackage);
      const database = await createTestDatabase(servers.databaseUrl, 'image');
      try {
        // `main.js migrate` loads the service definition, so every handler and library it uses.
        const run = spawnSync(
          process.execPath,
          [path.join(dir, 'services', servicePackage, 'dist/main.js'), 'migrate'],
          { env: { PATH: process.env.PATH, DATABASE_URL: database.url }, encoding: 'utf8' },
        );
        expect(`${run.stdout}${run.stderr}`).toContain('migrations applied');
        expect(run.status).toBe(0);
      } finally {
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
