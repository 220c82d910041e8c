import path from 'node:path';

/** Where the dashboard's bundle is: built by Vite into this package's dist/ui at build time. */
export function dashboardDirectory(): string {
  return path.resolve(__dirname, 'ui');
}
