import path from 'node:path';

/**
 * Where the dashboard's bundle is: Vite builds it into this package's dist/ui. Found from the
 * package root, so compiled code (dist/) and sources run by tests (src/) find the same bundle.
 */
export function dashboardDirectory(): string {
  return path.resolve(__dirname, '..', 'dist', 'ui');
}
