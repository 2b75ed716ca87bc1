-- Tickets, and what this module knows of their events. Orders, events, organizers and people live in other
-- modules: their ids are bare here.

-- One row per event a ticket was issued for or catalog announced. The key is made with the first ticket (or the
-- announcement, whichever comes first); the rest arrives with event.published and is null until then.
create table events (
    id             uuid        primary key,
    key_ciphertext bytea       not null,   -- 32 random bytes, AES-256-GCM under TicketToken:Tickets:SecretKey
    organizer_id   uuid,
    name           text,
    venue_id       uuid,
    venue_name     text,
    venue_city     text,
    starts_at      timestamptz,
    ends_at        timestamptz,
    time_zone      text,                  -- IANA, the venue's
    version        bigint      not null default 0,   -- of the newest event.published applied
    cancelled_at   timestamptz,
    created_at     timestamptz not null
);

create table tickets (
    id                 uuid        primary key,
    order_id           uuid,
    order_number       text,
    line_number        integer,
    previous_ticket_id uuid        unique references tickets (id),   -- the ticket this one was transferred from
    event_id           uuid        not null references events (id),
    organizer_id       uuid        not null,
    owner_id           uuid        not null,
    ticket_type_id     uuid        not null,
    ticket_type_name   text        not null,
    seat_id            text,                                         -- null: general admission
    section            text,
    seat_row           text,
    seat_number        text,
    price_zone         text,
    face_value         bigint      not null check (face_value >= 0),  -- minor units
    currency           text        not null check (currency ~ '^[A-Z]{3}$'),
    status             text        not null check (status in ('issued', 'active', 'checked_in', 'transferred', 'refunded', 'revoked', 'expired', 'cancelled')),
    status_reason      text,
    secret_version     integer     not null default 1 check (secret_version > 0),
    issued_at          timestamptz not null,
    activated_at       timestamptz,
    status_changed_at  timestamptz not null,
    -- What makes issuing idempotent, even when two issues race: the second insert of a line fails here.
    constraint tickets_order_line unique (order_id, line_number),
    -- A ticket comes from an order line, or from the ticket it was transferred from (docs/adr/0009-tickets.md).
    constraint tickets_origin check (
        (order_id is not null and order_number is not null and line_number is not null and previous_ticket_id is null)
        or (order_id is null and order_number is null and line_number is null and previous_ticket_id is not null))
);

-- A seat has at most one live ticket per event. Inventory sells it once; this is the second line of defence.
create unique index tickets_live_seat on tickets (event_id, seat_id)
    where seat_id is not null and status in ('issued', 'active', 'checked_in');
create index tickets_owner on tickets (owner_id);
create index tickets_event_status on tickets (event_id, status);
