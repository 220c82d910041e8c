import type { Migration } from '@eventline/store';

export const fraudMigrations: Migration[] = [
  {
    id: '001_transactions',
    sql: `
      -- A customer's profile as the first transaction seen from them established it.
      CREATE TABLE customers (
        customer_id text PRIMARY KEY,
        home_country char(2) NOT NULL,
        first_seen_at timestamptz NOT NULL
      );
      CREATE TABLE transactions (
        transaction_id text PRIMARY KEY,
        customer_id text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0 AND amount <= 1000000000000000),
        currency char(3) NOT NULL,
        merchant varchar(128) NOT NULL,
        country char(2) NOT NULL,
        at timestamptz NOT NULL,
        submitted_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN
          ('submitted', 'enriched', 'scored', 'in-review', 'approved', 'declined')),
        enrichment jsonb,
        score double precision CHECK (score >= 0 AND score <= 1),
        model_version text,
        reasons jsonb,
        rules jsonb,
        decision text CHECK (decision IN ('approve', 'review', 'decline')),
        decided_at timestamptz,
        review_due_at timestamptz,
        reviewed_by text CHECK (reviewed_by IN ('reviewer', 'timeout')),
        reviewed_at timestamptz
      );
      CREATE INDEX transactions_customer_at ON transactions (customer_id, at);
      CREATE INDEX transactions_review_due ON transactions (review_due_at) WHERE status = 'in-review';
    `,
  },
];
