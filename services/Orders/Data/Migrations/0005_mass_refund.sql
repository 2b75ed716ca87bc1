-- Cancelling an event refunds every paid order (docs/adr/0017): one row per cancelled event says what the organizer
-- chose for the fees, and each order's refund is an ordinary refund marked with its cause, at most one per order.
create table orders.event_cancellations (
    event_id     uuid        primary key,
    organizer_id uuid        not null,
    fee_policy   text        not null check (fee_policy in ('refund', 'keep')),
    reason       text        not null,
    cancelled_at timestamptz not null,
    orders       integer     not null check (orders >= 0)
);
alter table orders.refunds
    add column cause           text check (cause in ('event_cancelled')),
    add column keep_fees       boolean not null default false,
    add column failure_message text;
create unique index refunds_one_per_cancelled_order on orders.refunds (order_id) where cause = 'event_cancelled';
