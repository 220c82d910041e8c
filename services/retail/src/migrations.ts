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
  {
    id: '003_products',
    sql: `
      CREATE TABLE products (
        sku text PRIMARY KEY,
        name text NOT NULL,
        price bigint NOT NULL,
        dimensions jsonb NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      );
      -- Images live beside their product, so one transaction replaces both: a product never
      -- shows the thumbnails of another version of it.
      CREATE TABLE product_images (
        sku text NOT NULL REFERENCES products (sku),
        size text NOT NULL CHECK (size IN ('original', 'small', 'large')),
        format text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        bytes integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (sku, size)
      );
    `,
  },
  {
    id: '004_central_inventory',
    sql: `
      -- The central store's master inventory view, fed by the regions' numbered reports. A
      -- report's row is its guard: the counts change only with the insert of a new one.
      CREATE TABLE central_reports (
        region text NOT NULL,
        report bigint NOT NULL,
        reported_at timestamptz NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (region, report)
      );
      CREATE TABLE central_sales (
        region text NOT NULL,
        sku text NOT NULL,
        minute timestamptz NOT NULL,
        quantity bigint NOT NULL,
        PRIMARY KEY (sku, region, minute)
      );
      -- the newest report wins, whatever order the reports arrive in
      CREATE TABLE central_stock (
        region text NOT NULL,
        sku text NOT NULL,
        available integer NOT NULL,
        report bigint NOT NULL,
        PRIMARY KEY (sku, region)
      );
    `,
  },
];
