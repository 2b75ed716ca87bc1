-- What notifications knows of people, organizers' staff, events, orders and tickets (projections of other modules' events),
-- the durable queue and log of e-mail, and organizers' webhook endpoints with their deliveries and attempts.

-- People by account id, from identity's events; the address is nulled when the person is erased.
create table recipients (
    user_id      uuid        primary key,
    email        text,
    display_name text,
    language     text,                               -- the fan's choice; null: English
    marketing    boolean     not null default false, -- opted in to marketing mail
    status       text        not null default 'active' check (status in ('active', 'deactivated', 'erased')),
    changed_at   timestamptz not null                -- of the newest identity event applied
);

create table memberships (
    organizer_id uuid        not null,
    user_id      uuid        not null,
    role         text,                               -- null once the person left the staff
    changed_at   timestamptz not null,
    primary key (organizer_id, user_id)
);

create table events (
    id           uuid        primary key,
    organizer_id uuid        not null,
    name         text,
    venue_name   text,
    venue_city   text,
    starts_at    timestamptz,
    time_zone    text,
    version      bigint      not null default 0,
    cancelled_at timestamptz
);

create table orders (
    id           uuid        primary key,
    number       text        not null,
    buyer_id     uuid        not null,
    organizer_id uuid        not null,
    event_id     uuid        not null,
    currency     text        not null,
    total        bigint      not null,
    confirmed_at timestamptz not null
);

-- Tickets: details from tickets.issued, owner and status from tickets.changed (highest sequence wins).
create table tickets (
    id           uuid        primary key,
    order_id     uuid,
    event_id     uuid        not null,
    organizer_id uuid        not null,
    owner_id     uuid        not null,
    label        text,
    status       text        not null,
    sequence     bigint      not null default 0
);
create index tickets_order on tickets (order_id);
create index tickets_event on tickets (event_id);
create index tickets_owner on tickets (owner_id);

-- One row per e-mail: queued until sent (or failed after its retry window, or suppressed), then kept as the log
-- support searches. The model (what the templates are rendered from, possibly with a one-time code) is encrypted and
-- dropped once the message is sent.
create table messages (
    id                 uuid        primary key,
    dedupe_key         text        not null unique,  -- {source event id}:{template}:{recipient}: once per event and person
    source_event_id    text        not null,
    template           text        not null,
    category           text        not null check (category in ('transactional', 'marketing')),
    recipient_user_id  uuid,
    recipient_email    text,                         -- null until resolved from recipients, and again once erased
    organizer_id       uuid,                         -- whose affair it is (order, event), for the organizer's support
    language           text,
    subject            text,
    model              bytea,
    status             text        not null check (status in ('queued', 'sent', 'failed', 'suppressed')),
    attempts           int         not null default 0,
    next_attempt_at    timestamptz not null,
    locked_until       timestamptz,
    last_error         text,
    erase_after_send   boolean     not null default false,
    created_at         timestamptz not null,
    sent_at            timestamptz
);
create index messages_due on messages (next_attempt_at) where status = 'queued';
create index messages_recipient on messages (recipient_user_id, created_at desc);
create index messages_email on messages (recipient_email, created_at desc);
create index messages_organizer on messages (organizer_id, created_at desc);

create table webhook_endpoints (
    id                         uuid        primary key,
    organizer_id               uuid        not null,
    url                        text        not null,
    description                text,
    event_types                text[]      not null,
    secret                     bytea       not null, -- encrypted
    previous_secret            bytea,                -- still signs beside the new one until it expires
    previous_secret_expires_at timestamptz,
    enabled                    boolean     not null default true,
    disabled_reason            text,
    disabled_at                timestamptz,
    created_by                 uuid        not null,
    created_at                 timestamptz not null,
    updated_at                 timestamptz not null
);
create index webhook_endpoints_organizer on webhook_endpoints (organizer_id, created_at);

create table webhook_deliveries (
    id               uuid        primary key,
    endpoint_id      uuid        not null references webhook_endpoints (id) on delete cascade,
    event_id         text        not null,           -- the id receivers see; the same for every attempt and replay
    event_type       text        not null,
    payload          text        not null,           -- the exact body that is signed and sent
    status           text        not null check (status in ('pending', 'succeeded', 'failed')),
    attempts         int         not null default 0,
    next_attempt_at  timestamptz not null,
    first_attempt_at timestamptz,
    locked_until     timestamptz,
    last_status_code int,
    last_error       text,
    created_at       timestamptz not null,
    completed_at     timestamptz,
    unique (endpoint_id, event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);

create table webhook_attempts (
    id              uuid        primary key,
    delivery_id     uuid        not null references webhook_deliveries (id) on delete cascade,
    attempted_at    timestamptz not null,
    url             text        not null,
    request_headers text        not null,
    response_status int,
    response_body   text,                            -- the first 2 KB
    duration_ms     int         not null,
    error           text
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempted_at);
