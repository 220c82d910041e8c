import type { Migration } from '@eventline/store';

export const ordersMigrations: Migration[] = [
  {
    id: '001_orders',
    sql: `
      CREATE TABLE idempotency_keys (
        key text PRIMARY KEY,
        order_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sagas (
        order_id text PRIMARY KEY,
        state jsonb NOT NULL,
        orders jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE saga_timers (
        order_id text PRIMARY KEY REFERENCES sagas (order_id),
        step text NOT NULL,
        phase text NOT NULL,
        due_at timestamptz NOT NULL
      );
      CREATE INDEX saga_timers_due ON saga_timers (due_at);
      CREATE TABLE inventory (
        sku text PRIMARY KEY,
        available integer NOT NULL CHECK (available >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        shipped integer NOT NULL DEFAULT 0 CHECK (shipped >= 0)
      );
      CREATE TABLE reservations (
        order_id text NOT NULL,
        sku text NOT NULL REFERENCES inventory (sku),
        quantity integer NOT NULL,
        status text NOT NULL CHECK (status IN ('held', 'released', 'shipped')),
        PRIMARY KEY (order_id, sku)
      );
      CREATE TABLE payments (
        order_id text PRIMARY KEY,
        customer_id text NOT NULL,
        amount bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('charged', 'declined', 'refunded')),
        reference text,
        reason text,
        charged_at timestamptz NOT NULL DEFAULT now(),
        refunded_at timestamptz
      );
      CREATE TABLE shipments (
        order_id text PRIMARY KEY,
        region text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE order_view (
        order_id text PRIMARY KEY,
        status text NOT NULL,
        customer_id text NOT NULL,
        region text NOT NULL,
        items jsonb NOT NULL,
        total bigint NOT NULL,
        reason text,
        history jsonb NOT NULL DEFAULT '[]',
        placed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE notifications (
        order_id text PRIMARY KEY,
        customer_id text NOT NULL,
        message text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE revenue_by_minute (
        minute timestamptz NOT NULL,
        region text NOT NULL,
        orders integer NOT NULL,
        revenue bigint NOT NULL,
        PRIMARY KEY (minute, region)
      );
      CREATE TABLE reviews (
        order_id text PRIMARY KEY,
        customer_id text NOT NULL,
        total bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    id: '002_idempotency_request',
    sql: `
      -- what the key was first used for: the same key with another order is refused, not ignored
      ALTER TABLE idempotency_keys ADD COLUMN request text;
    `,
  },
  {
    id: '003_idempotency_keys_to_the_kit',
    sql: `
      -- The kit's Idempotency-Key claims replace this table. A claim's request is the digest the
      -- kit computes (requestDigest): sha256 of ["POST","/orders",<the order's fingerprint>] as
      -- JSON. A key stored before requests were recorded gets the fingerprint of the order it
      -- placed, rebuilt from the saga's copy of the order in the shape JSON.stringify writes.
      INSERT INTO eventline.idempotency_keys (consumer, key, request, answer, claimed_at)
      SELECT 'orders-api', k.key,
             encode(sha256(convert_to('["POST","/orders",' || COALESCE(k.request, (
               SELECT '[' || (s.orders->'customerId')::text || ',' || (s.orders->'region')::text || ',['
                      || string_agg('[' || (i.item->'sku')::text || ',' || (i.item->'quantity')::text
                                    || ',' || (i.item->'unitPrice')::text || ']', ',' ORDER BY i.n)
                      || ']]'
                 FROM orders.sagas AS s, jsonb_array_elements(s.orders->'items') WITH ORDINALITY AS i (item, n)
                WHERE s.order_id = k.order_id
                GROUP BY s.orders
             )) || ']', 'UTF8')), 'hex'),
             jsonb_build_object('orderId', k.order_id),
             k.created_at
        FROM orders.idempotency_keys AS k;
      DROP TABLE orders.idempotency_keys;
    `,
  },
  {
    id: '004_saga_timers_sent_at',
    sql: `
      -- when the saga sent the step it waits for: how long open steps wait is what the edge's
      -- admission control measures
      ALTER TABLE saga_timers ADD COLUMN sent_at timestamptz NOT NULL DEFAULT now();
    `,
  },
  {
    id: '005_saga_started_at',
    // Sagas begun before this column existed count from when it was added.
    sql: 'ALTER TABLE sagas ADD COLUMN IF NOT EXISTS started_at timestamptz NOT NULL DEFAULT now();',
  },
  {
    id: '006_pos_purchases',
    sql: `
      -- Point-of-sale purchases take their stock from orders.inventory, the rows online orders
      -- reserve, in the same transaction as this row.
      CREATE TABLE pos_purchases (
        purchase_id text PRIMARY KEY,
        store_id text NOT NULL,
        customer_id text,
        items jsonb NOT NULL,
        subtotal bigint NOT NULL,
        discount bigint NOT NULL,
        total bigint NOT NULL,
        promotions jsonb NOT NULL,
        points_earned bigint NOT NULL,
        payment_method text NOT NULL,
        purchased_at timestamptz NOT NULL
      );
    `,
  },
  {
    id: '007_central_feed',
    sql: `
      -- The till purchases not yet counted in a report to the central store; a purchase committed
      -- while a report is made is in the next one, whatever minute it was sold in.
      ALTER TABLE pos_purchases ADD COLUMN reported_in bigint;
      CREATE INDEX pos_purchases_unreported ON pos_purchases (purchase_id) WHERE reported_in IS NULL;
      CREATE TABLE central_reports (
        report bigint PRIMARY KEY,
        purchases integer NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now()
      );
      -- the stock levels central was last told, so a report carries only the ones that changed
      CREATE TABLE central_stock (
        sku text PRIMARY KEY,
        available integer NOT NULL
      );
    `,
  },
];
