-- Venues and their seat maps (price zones, sections, rows, seats); events, their ticket types and series.
-- Organizers live in identity: organizer_id is a bare id here, checked against the caller's token.
create table venues (
    id            uuid        primary key,
    organizer_id  uuid        not null,
    name          text        not null,
    address_line1 text        not null,
    address_line2 text,
    city          text        not null,
    postal_code   text        not null,
    country       text        not null check (country ~ '^[A-Z]{2}$'),   -- ISO 3166-1 alpha-2
    time_zone     text        not null,                                -- IANA, e.g. Europe/Berlin
    capacity      integer     not null check (capacity > 0),
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create index venues_organizer on venues (organizer_id, created_at desc, id desc);
create index venues_created on venues (created_at desc, id desc);

create table seat_maps (
    id         uuid        primary key,
    venue_id   uuid        not null references venues (id) on delete cascade,
    name       text        not null,
    seat_count integer     not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index seat_maps_venue on seat_maps (venue_id, created_at desc, id desc);

create table price_zones (
    seat_map_id uuid    not null references seat_maps (id) on delete cascade,
    code        text    not null,
    name        text    not null,
    colour      text    not null,
    position    integer not null,
    primary key (seat_map_id, code)
);

create table sections (
    id          uuid    primary key,
    seat_map_id uuid    not null references seat_maps (id) on delete cascade,
    code        text    not null,
    name        text    not null,
    position    integer not null,
    unique (seat_map_id, code)
);

-- index orders rows from the stage (0 = nearest).
create table seat_rows (
    id         uuid    primary key,
    section_id uuid    not null references sections (id) on delete cascade,
    label      text    not null,
    index      integer not null check (index >= 0),
    unique (section_id, label),
    unique (section_id, index)
);

-- position orders seats within their row; the seat map id is repeated so a zone's seats count without joins.
create table seats (
    row_id      uuid             not null references seat_rows (id) on delete cascade,
    number      text             not null,
    seat_map_id uuid             not null,
    position    integer          not null,
    price_zone  text             not null,
    accessible  boolean          not null,
    companion   boolean          not null,
    blocked     boolean          not null,
    x           double precision not null,
    y           double precision not null,
    primary key (row_id, number),
    foreign key (seat_map_id, price_zone) references price_zones (seat_map_id, code) on delete cascade
);
create index seats_zone on seats (seat_map_id, price_zone);

create table events (
    id                          uuid        primary key,
    organizer_id                uuid        not null,
    venue_id                    uuid        not null references venues (id),
    seat_map_id                 uuid        references seat_maps (id),   -- null: general admission only
    series_id                   uuid,                                    -- the occurrences of one recurrence rule
    name                        text        not null,
    description                 text,
    category                    text,                                    -- lower case
    starts_at                   timestamptz not null,
    ends_at                     timestamptz not null,
    sales_start_at              timestamptz not null,
    sales_end_at                timestamptz not null,
    currency                    text        not null check (currency ~ '^[A-Z]{3}$'),
    per_order_limit             integer     not null check (per_order_limit > 0),
    per_account_limit           integer     not null check (per_account_limit >= per_order_limit),
    resale_allowed              boolean     not null,
    resale_price_cap_percent    integer,
    resale_royalty_basis_points integer     not null check (resale_royalty_basis_points between 0 and 10000),
    status                      text        not null check (status in ('draft', 'published', 'on_sale', 'completed', 'cancelled')),
    version                     bigint      not null default 0,          -- raised on every publish
    created_at                  timestamptz not null,
    updated_at                  timestamptz not null,
    published_at                timestamptz,
    cancelled_at                timestamptz,
    cancellation_reason         text,
    check (ends_at > starts_at),
    check (sales_end_at > sales_start_at)
);
create index events_browse on events (starts_at, id) where status in ('published', 'on_sale', 'completed');
create index events_organizer on events (organizer_id, starts_at, id);
create index events_series on events (series_id, starts_at, id) where series_id is not null;
create index events_seat_map on events (seat_map_id) where seat_map_id is not null;
create index events_venue on events (venue_id);

create table ticket_types (
    id          uuid        primary key,
    event_id    uuid        not null references events (id) on delete cascade,
    name        text        not null,
    kind        text        not null check (kind in ('reserved', 'general_admission')),
    price_zone  text,
    capacity    integer,
    price_minor bigint      not null check (price_minor >= 0),
    created_at  timestamptz not null,
    check ((kind = 'reserved' and price_zone is not null and capacity is null)
        or (kind = 'general_admission' and price_zone is null and capacity > 0))
);
create unique index ticket_types_zone on ticket_types (event_id, price_zone) where price_zone is not null;
create unique index ticket_types_name on ticket_types (event_id, lower(name));
