-- How the older platform sold seats (the seats themselves are bench/common's row per seat, 0001): an order, its
-- payment, its tickets and its ledger entries written in the same request and transaction as the seats are marked sold.
alter table seats add column order_id uuid;

-- Checkout finds a hold's seats.
create index seats_held on seats (hold_id) where status = 'held';

create table orders (
    id              uuid        primary key,
    event_id        uuid        not null,
    buyer_id        uuid        not null,
    idempotency_key text        not null unique,
    status          text        not null check (status in ('confirmed')),
    total           bigint      not null,
    currency        text        not null,
    created_at      timestamptz not null
);

create table payments (
    id         uuid        primary key,
    order_id   uuid        not null unique references orders (id),
    amount     bigint      not null,
    status     text        not null check (status in ('succeeded', 'refunded')),
    card_last4 text        not null,
    created_at timestamptz not null
);

create table tickets (
    id        uuid        primary key,
    order_id  uuid        not null references orders (id),
    event_id  uuid        not null,
    seat_id   text        not null,
    status    text        not null check (status in ('issued')),
    issued_at timestamptz not null
);
create index tickets_event on tickets (event_id, seat_id);

create table journal_entries (
    id             bigint generated always as identity primary key,
    transaction_id uuid   not null,
    account        text   not null,
    amount         bigint not null
);
