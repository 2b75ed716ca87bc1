-- A declined card leaves the order payable (docs/adr/0010): every confirmation the gateway reports is counted.
-- A succeeded report whose amount or currency is not the order's is not applied but flagged for support (review),
-- with what the gateway said. A row a webhook made before the order's own request has the gateway's amount, not the
-- order's, until the order's request completes it (amount_from_order).
alter table payments
    add column attempts          integer     not null default 0,
    add column amount_from_order boolean     not null default true,
    add column review            text        check (review in ('amount_mismatch')),
    add column reported_amount   bigint,
    add column reported_currency text,
    add column flagged_at        timestamptz;
create index payments_review on payments (flagged_at) where review is not null;

-- The simulated gateway's answers by Idempotency-Key, as Stripe keeps them: a retry with the same parameters gets the
-- saved status and body again, another request under the same key an idempotency_error.
create table simulated_requests (
    idempotency_key text        primary key,
    fingerprint     text        not null,   -- method, path and every parameter of the first request
    status          integer     not null,
    body            text        not null,
    created_at      timestamptz not null
);
