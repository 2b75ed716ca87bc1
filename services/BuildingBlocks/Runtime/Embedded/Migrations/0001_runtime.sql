-- The embedded runtime's own tables: what Dapr keeps in its state store, broker and scheduler.

-- State store. Keys carry their app's prefix ("{appId}||{key}"), as Dapr's default keyPrefix does.
create table state (
    store      text        not null,
    key        text        not null,
    value      jsonb       not null,
    etag       bigint      not null,
    expires_at timestamptz,
    primary key (store, key)
);
create index state_expires_at on state (expires_at) where expires_at is not null;

-- ETags come from one sequence so a key deleted and written again never reuses an old ETag.
create sequence etag_seq;

-- Pub/sub: one row per (event, subscription) until the handler acknowledges it.
create table deliveries (
    id           bigint      generated always as identity primary key,
    subscription text        not null,
    topic        text        not null,
    event        jsonb       not null,
    attempt      int         not null default 0,
    visible_at   timestamptz not null,
    claimed      boolean     not null default false,
    last_error   text,
    created_at   timestamptz not null default now()
);
create index deliveries_ready on deliveries (visible_at, id) where not claimed;

-- Events that were dropped or ran out of attempts, kept for operators (they are also published to the dead-letter topic).
create table dead_letters (
    id           bigint      generated always as identity primary key,
    subscription text        not null,
    topic        text        not null,
    event        jsonb       not null,
    attempts     int         not null,
    reason       text        not null,
    dead_at      timestamptz not null default now()
);

-- Actors: state per (type, id, key) as UTF-8 JSON bytes (read it with convert_from(value, 'UTF8')::jsonb);
-- durable reminders with an absolute due time.
create table actor_state (
    actor_type text  not null,
    actor_id   text  not null,
    key        text  not null,
    value      bytea not null,
    primary key (actor_type, actor_id, key)
);

create sequence reminder_generation;

create table actor_reminders (
    actor_type text        not null,
    actor_id   text        not null,
    name       text        not null,
    due_at     timestamptz not null,
    period_ms  bigint,
    data       bytea,
    generation bigint      not null,
    failures   int         not null default 0,
    primary key (actor_type, actor_id, name)
);
create index actor_reminders_due on actor_reminders (due_at);
