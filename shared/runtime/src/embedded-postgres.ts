export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WASM) served over the Postgres wire protocol, so the same `pg`
 * code runs with nothing installed. Its multiplexer gives each client transaction exclusive use
 * of the single session, which serialises writes: fine for a laptop, not a load test.
 */
export async function startEmbeddedPostgres(
  options: { port?: number; dataDir?: string } = {},
): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(options.dataDir ? `file://${options.dataDir}` : 'memory://');
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: 200,
  });
  let port: number | undefined;
  server.addEventListener('listening', (event) => {
    port = (event as CustomEvent<{ port?: number }>).detail.port;
  });
  await server.start();
  if (!port) throw new Error('embedded Postgres did not report its port');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
