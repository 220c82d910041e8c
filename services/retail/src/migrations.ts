import type { Migration } from '@eventline/store';

export const retailMigrations: Migration[] = [
  {
    id: '001_cart_sessions',
    sql: `
      CREATE TABLE cart_sessions (
        cart_id text PRIMARY KEY,
        version integer NOT NULL,
        items jsonb NOT NULL,
        total bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX cart_sessions_expiry ON cart_sessions (expires_at);
      CREATE TABLE cart_summaries (
        cart_id text NOT NULL,
        version integer NOT NULL,
        message text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cart_id, version)
      );
    `,
  },
];
