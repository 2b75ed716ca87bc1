create table conformance.received (
    consumer    text        not null,
    message_id  text        not null,
    number      int         not null,
    received_at timestamptz not null default now(),
    primary key (consumer, message_id)
);
create table conformance.handler_calls (
    id         bigint generated always as identity primary key,
    consumer   text        not null,
    message_id text        not null,
    called_at  timestamptz not null default now()
);
create table conformance.dead_letters_seen (
    message_id text primary key,
    topic      text not null,
    number     int  not null
);
create table conformance.reminder_fires (
    id       bigint generated always as identity primary key,
    actor_id text        not null,
    name     text        not null,
    data     text,
    fired_at timestamptz not null default now()
);
create table conformance.lifecycle (
    id       bigint generated always as identity primary key,
    actor_id text        not null,
    event    text        not null,
    at       timestamptz not null default now()
);
create table conformance.step_effects (
    instance_id text not null,
    step        int  not null,
    primary key (instance_id, step)
);
create table conformance.step_executions (
    id          bigint generated always as identity primary key,
    instance_id text        not null,
    step        int         not null,
    attempt     int         not null,
    at          timestamptz not null default now()
);
create table conformance.crash_markers (
    key text primary key
);
