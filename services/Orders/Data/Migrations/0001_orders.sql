-- Orders: what was bought, at what price, and where its purchase saga stands. Events and their prices are copied
-- from catalog's event.published; organizers and buyers are bare ids, checked against the caller's token.
create table events (
    id            uuid        primary key,
    organizer_id  uuid        not null,
    venue_id      uuid        not null,
    name          text        not null,
    starts_at     timestamptz not null,
    ends_at       timestamptz not null,
    currency      text        not null check (currency ~ '^[A-Z]{3}$'),
    country       text,                                          -- the venue's, ISO 3166-1 alpha-2: its tax applies
    cancelled     boolean     not null default false,
    version       bigint      not null
);

create table ticket_prices (
    event_id       uuid   not null references events (id) on delete cascade,
    ticket_type_id uuid   not null,
    name           text   not null,
    kind           text   not null check (kind in ('reserved', 'general_admission')),
    price_zone     text,
    price_minor    bigint not null check (price_minor >= 0),
    primary key (event_id, ticket_type_id)
);

-- What the platform charges on an organizer's sales; organizers without a row pay the configured defaults.
create table fee_schedules (
    organizer_id          uuid        primary key,
    service_basis_points  integer     not null check (service_basis_points between 0 and 5000),
    per_ticket_minor      bigint      not null check (per_ticket_minor >= 0),
    processing_basis_points integer   not null check (processing_basis_points between 0 and 1000),
    processing_fixed_minor bigint     not null check (processing_fixed_minor >= 0),
    updated_at            timestamptz not null
);

create table promo_codes (
    id                  uuid        primary key,
    organizer_id        uuid        not null,
    event_id            uuid,                                    -- null: every event of the organizer
    code                text        not null check (code ~ '^[A-Z0-9_-]{3,32}$'),
    percent_basis_points integer    check (percent_basis_points between 1 and 10000),
    amount_off_minor    bigint      check (amount_off_minor > 0),
    currency            text        check (currency ~ '^[A-Z]{3}$'),
    max_uses            integer     check (max_uses > 0),
    uses                integer     not null default 0,
    starts_at           timestamptz,
    ends_at             timestamptz,
    created_at          timestamptz not null,
    check ((percent_basis_points is null) <> (amount_off_minor is null)),
    check (amount_off_minor is null or currency is not null),
    check (max_uses is null or uses <= max_uses),
    unique (organizer_id, code)
);

create table orders (
    id                uuid        primary key,
    number            text        not null unique,
    buyer_id          uuid        not null,
    organizer_id      uuid        not null,
    event_id          uuid        not null references events (id),
    hold_id           uuid        not null unique,               -- a hold is checked out once
    idempotency_key   text        not null,
    status            text        not null check (status in ('pending_payment', 'paid', 'confirmed', 'failed', 'expired', 'cancelled', 'refunded', 'partially_refunded')),
    currency          text        not null,
    face_value        bigint      not null check (face_value >= 0),
    discount          bigint      not null check (discount >= 0),
    fees              bigint      not null check (fees >= 0),
    tax               bigint      not null check (tax >= 0),
    total             bigint      not null check (total = face_value - discount + fees + tax),
    refunded          bigint      not null default 0 check (refunded between 0 and total),
    promo_code_id     uuid        references promo_codes (id),
    payment_intent_id text,
    processor_fee     bigint      not null default 0,
    failure_code      text,
    failure_message   text,
    pay_by            timestamptz not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    confirmed_at      timestamptz,
    unique (buyer_id, idempotency_key)
);
create index orders_buyer on orders (buyer_id, created_at desc, id desc);
create index orders_event on orders (event_id, created_at desc, id desc);

create table order_lines (
    order_id        uuid   not null references orders (id) on delete cascade,
    line_number     integer not null check (line_number > 0),
    ticket_type_id  uuid   not null,
    ticket_type_name text  not null,
    seat_id         text,
    section         text,
    row_label       text,
    seat_number     text,
    price_zone      text,
    face_value      bigint not null check (face_value >= 0),
    discount        bigint not null check (discount >= 0),
    fees            bigint not null check (fees >= 0),
    tax             bigint not null check (tax >= 0),
    refunded        boolean not null default false,
    primary key (order_id, line_number)
);

create table refunds (
    id           uuid        primary key,
    order_id     uuid        not null references orders (id),
    lines        integer[]   not null,
    amount       bigint      not null check (amount > 0),
    return_seats boolean     not null,
    reason       text        not null,
    status       text        not null check (status in ('pending', 'succeeded', 'failed')),
    requested_by uuid        not null,
    created_at   timestamptz not null,
    completed_at timestamptz
);
create index refunds_order on refunds (order_id, created_at);
