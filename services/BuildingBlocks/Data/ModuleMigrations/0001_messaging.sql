-- Every module schema gets an outbox (events written in the same transaction as the module's changes,
-- relayed to pub/sub) and an inbox (the CloudEvent ids a handler has already processed).
create table outbox_messages (
    id           uuid        primary key,
    seq          bigint      generated always as identity,
    pubsub_name  text        not null,
    topic        text        not null,
    type         text        not null,
    data         jsonb       not null,
    trace_parent text,
    created_at   timestamptz not null default now()
);
create index outbox_messages_seq on outbox_messages (seq);

create table inbox_messages (
    consumer     text        not null,
    message_id   text        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, message_id)
);
