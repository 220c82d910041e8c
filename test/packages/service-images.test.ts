import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, productionInstall, testServerEnv } from '@eventline/testing';
import { repositoryRoot } from '../support/repository';

const root = repositoryRoot();
const servers = testServerEnv();
const servicePackages = readdirSync(path.join(root, 'services'));

/**
 * The files docker/Dockerfile puts in a service package's image: its production install and the
 * compiled output of the workspaces that install links.
 */
function imageFiles(servicePackage: string): string {
  const { dir, linkedWorkspaces } = productionInstall(root, servicePackage);
  for (const workspace of linkedWorkspaces) {
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
