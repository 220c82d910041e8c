import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's root: the directory whose package.json declares the workspaces, looked up from
 * the working directory as npm finds it.
 */
export function repositoryRoot(from = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && 'workspaces' in JSON.parse(readFileSync(manifest, 'utf8'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no npm workspace root at or above ${from}`);
  }
}
