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
  {
    id: '002_customers',
    sql: `
      CREATE TABLE customers (
        customer_id text PRIMARY KEY,
        points bigint NOT NULL,
        purchases integer NOT NULL,
        spent bigint NOT NULL,
        first_purchase_at timestamptz NOT NULL,
        last_purchase_at timestamptz NOT NULL
      );
      CREATE TABLE customer_purchases (
        channel text NOT NULL CHECK (channel IN ('online', 'store')),
        reference text NOT NULL,
        customer_id text NOT NULL,
        place text NOT NULL,
        items jsonb NOT NULL,
        total bigint NOT NULL,
        points bigint NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (channel, reference)
      );
      CREATE INDEX customer_purchases_newest ON customer_purchases (customer_id, at DESC);
    `,
  },
];
