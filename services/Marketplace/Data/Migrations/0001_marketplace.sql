-- The marketplace: what it knows of events (their resale policy, from event.published) and of orders (what the fan
-- paid, for the cap), the listings, and the resales. Amounts are bigint minor units.

create table events (
    id                  uuid        primary key,
    organizer_id        uuid        not null,
    name                text        not null,
    starts_at           timestamptz not null,
    ends_at             timestamptz not null,
    currency            text        not null,
    country             text,
    resale_allowed      boolean     not null,
    cap_percent         integer,
    royalty_bp          integer     not null check (royalty_bp between 0 and 10000),
    cancelled           boolean     not null default false,
    version             bigint      not null
);

-- An order's face value and total (fees and tax included, discount taken off): a ticket's share of the total is what
-- its first buyer paid for it, the default cap.
create table order_amounts (
    order_id    uuid   primary key,
    face_value  bigint not null,
    total       bigint not null
);

create table listings (
    id               uuid        primary key,    -- also the ticket's lock id
    ticket_id        uuid        not null,
    seller_id        uuid        not null,
    event_id         uuid        not null references events (id),
    organizer_id     uuid        not null,
    ticket_type_name text        not null,
    section          text,
    seat_row         text,
    seat_number      text,
    price            bigint      not null check (price > 0),
    cap              bigint      not null check (price <= cap),
    currency         text        not null,
    status           text        not null check (status in ('active', 'reserved', 'sold', 'withdrawn', 'expired')),
    resale_id        uuid,                        -- the resale holding or having bought it
    expires_at       timestamptz not null,        -- when the event's resale window closes
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    check ((status in ('reserved', 'sold')) = (resale_id is not null))
);
-- A ticket is on sale at most once at a time.
create unique index listings_open_ticket on listings (ticket_id) where status in ('active', 'reserved');
create index listings_event on listings (event_id, status, price);
create index listings_seller on listings (seller_id, created_at desc);

create table resales (
    id                uuid        primary key,   -- the workflow's instance id, the payment's key
    listing_id        uuid        not null references listings (id),
    ticket_id         uuid        not null,
    event_id          uuid        not null,
    organizer_id      uuid        not null,
    seller_id         uuid        not null,
    buyer_id          uuid        not null,
    price             bigint      not null check (price > 0),
    currency          text        not null,
    status            text        not null check (status in ('pending_payment', 'paid', 'completed', 'expired', 'cancelled', 'failed')),
    pay_by            timestamptz not null,
    payment_intent_id text,
    client_secret     text,
    processor_fee     bigint,
    seller_share      bigint,
    platform_fee      bigint,
    royalty           bigint,
    failure_code      text,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    completed_at      timestamptz,
    check (buyer_id <> seller_id)
);
-- A listing sells at most once, whatever races: the second line of defence behind the listing's reservation.
create unique index resales_completed_listing on resales (listing_id) where status in ('paid', 'completed');
create index resales_buyer on resales (buyer_id, created_at desc);
create index resales_event_completed on resales (event_id, completed_at) where status = 'completed';
