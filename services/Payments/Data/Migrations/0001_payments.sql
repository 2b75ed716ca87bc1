-- Payments: each order's payment intent and refunds, the gateway's webhook events (each recorded once), organizers'
-- connected accounts and payouts, the double-entry ledger, and the simulated gateway's own objects.
-- Amounts are bigint minor units; currencies are lower-case ISO 4217, as Stripe writes them.

-- One payment intent per order. status is the intent's, as the gateway last reported it; succeeded_at and
-- failed_at say that PaymentSucceeded / PaymentFailed were published (once per intent).
create table payments (
    order_id          uuid        primary key,
    order_number      text,
    buyer_id          uuid,
    organizer_id      uuid,
    event_id          uuid,
    gateway           text        not null,
    intent_id         text        not null unique,
    client_secret     text,
    status            text        not null,
    status_changed_at timestamptz not null,   -- the gateway's time of the change that set status
    amount            bigint      not null check (amount > 0),
    currency          text        not null check (currency ~ '^[a-z]{3}$'),
    failure_code      text,
    failure_message   text,
    pay_by            timestamptz,
    succeeded_at      timestamptz,
    failed_at         timestamptz,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);

create table refunds (
    refund_id         uuid        primary key,   -- the orders module's id, the gateway's idempotency key
    order_id          uuid        not null references payments (order_id),
    gateway_refund_id text        not null unique,
    amount            bigint      not null check (amount > 0),
    currency          text        not null,
    status            text        not null check (status in ('pending', 'succeeded', 'failed')),
    failure_message   text,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);
create index refunds_order on refunds (order_id);

-- Every webhook event once: a redelivered event id conflicts here and changes nothing.
create table webhook_events (
    id          text        primary key,
    type        text        not null,
    created     timestamptz not null,
    payload     jsonb       not null,
    received_at timestamptz not null
);

-- An organizer's connected account at the gateway (Stripe Connect express), where payouts go.
create table organizer_accounts (
    organizer_id      uuid        primary key,
    gateway           text        not null,
    account_id        text        not null unique,
    details_submitted boolean     not null,
    charges_enabled   boolean     not null,
    payouts_enabled   boolean     not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);

create table payouts (
    id              uuid        primary key,   -- the transfer's idempotency key
    organizer_id    uuid        not null,
    account_id      text        not null,
    currency        text        not null check (currency ~ '^[a-z]{3}$'),
    amount          bigint      not null check (amount > 0),
    status          text        not null check (status in ('pending', 'paid', 'failed')),
    transfer_id     text,
    failure_message text,
    created_at      timestamptz not null,
    completed_at    timestamptz
);
create index payouts_organizer on payouts (organizer_id, created_at desc, id desc);
create index payouts_pending on payouts (organizer_id) where status = 'pending';

-- The ledger. A transaction is one money movement in one currency, posted once per source (the sale of an order,
-- a refund, a payout); its entries sum to zero. Debits are positive, credits negative.
create table journal_transactions (
    id          uuid        primary key,
    source_type text        not null,
    source_id   text        not null,
    currency    text        not null check (currency ~ '^[a-z]{3}$'),
    description text        not null,
    organizer_id uuid,   -- whose money it is, when it is an organizer's
    order_id    uuid,    -- the order a sale or refund belongs to
    posted_at   timestamptz not null,
    unique (source_type, source_id),
    unique (id, currency)
);
create index journal_transactions_order on journal_transactions (order_id) where order_id is not null;

-- The entry repeats its transaction's currency, and the foreign key makes them equal: currencies never mix.
create table journal_entries (
    id             bigint      generated always as identity primary key,
    transaction_id uuid        not null,
    currency       text        not null,
    account        text        not null,
    amount         bigint      not null check (amount <> 0),
    posted_at      timestamptz not null,
    foreign key (transaction_id, currency) references journal_transactions (id, currency)
);
create index journal_entries_transaction on journal_entries (transaction_id);
create index journal_entries_account on journal_entries (account, currency, posted_at);

-- Checked at commit, so a transaction's entries can be inserted one by one: each transaction has at least two
-- entries and they sum to zero. The code checks the same before it writes; this is the guard when it does not.
create function payments.journal_transaction_balances() returns trigger language plpgsql as $$
declare
    txn   uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;   -- the column naming the transaction
    total numeric;
    lines integer;
begin
    select coalesce(sum(e.amount), 0), count(*) into total, lines
    from payments.journal_entries e where e.transaction_id = txn;
    if total <> 0 or lines < 2 then
        raise exception 'journal transaction % does not balance: % entries summing to %', txn, lines, total
            using errcode = '23514';
    end if;
    return null;
end $$;

create constraint trigger journal_transactions_balance after insert on journal_transactions
    deferrable initially deferred for each row execute function payments.journal_transaction_balances('id');
create constraint trigger journal_entries_balance after insert on journal_entries
    deferrable initially deferred for each row execute function payments.journal_transaction_balances('transaction_id');

-- Posted is posted: a mistake is corrected by a new transaction, never by editing history.
create function payments.journal_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the ledger is append-only: % on % is refused', tg_op, tg_table_name using errcode = '42501';
end $$;

create trigger journal_transactions_append_only before update or delete on journal_transactions
    for each row execute function payments.journal_is_append_only();
create trigger journal_entries_append_only before update or delete on journal_entries
    for each row execute function payments.journal_is_append_only();

-- The simulated gateway's objects, rendered as Stripe renders them (payment intents, refunds, accounts,
-- transfers). A request repeated with the same idempotency key gets the object the first one made.
create table simulated_objects (
    id              text        primary key,
    object          text        not null,
    idempotency_key text,
    parent_id       text,   -- a refund's payment intent
    body            jsonb       not null,
    created_at      timestamptz not null,
    unique (object, idempotency_key)
);
create index simulated_objects_parent on simulated_objects (parent_id) where parent_id is not null;
