-- Fans who resell tickets: their connected account (Stripe Connect express), and the seller's share of each resale,
-- held in escrow (ledger account seller_escrow:{userId}) until due_at, after the event, when it may be paid out.
create table seller_accounts (
    user_id           uuid        primary key,
    gateway           text        not null,
    account_id        text        not null unique,
    details_submitted boolean     not null,
    payouts_enabled   boolean     not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);

create table seller_payouts (
    resale_id    uuid        primary key,   -- one per resale: the posting's source, and the transfer's idempotency key
    seller_id    uuid        not null,
    event_id     uuid        not null,
    currency     text        not null check (currency ~ '^[a-z]{3}$'),
    amount       bigint      not null check (amount > 0),
    status       text        not null check (status in ('scheduled', 'withheld', 'paid', 'failed')),
    due_at       timestamptz not null,
    created_at   timestamptz not null,
    completed_at timestamptz
);
create index seller_payouts_seller on seller_payouts (seller_id, created_at desc);
create index seller_payouts_due on seller_payouts (due_at) where status = 'scheduled';
