-- The waiting room: what it knows of events (their organizer, from event.published) and of accounts (when they were
-- registered, from identity.user-registered), the queued on-sales and every fan's place in their line.

create table events (
    id            uuid   primary key,
    organizer_id  uuid   not null,
    name          text   not null,
    version       bigint not null
);

create table accounts (
    user_id        uuid        primary key,
    registered_at  timestamptz not null
);

create table onsales (
    event_id                    uuid        primary key,
    organizer_id                uuid        not null,
    opens_at                    timestamptz not null,
    wave_size                   integer     check (wave_size is null or wave_size > 0),
    wave_interval_seconds       integer     not null check (wave_interval_seconds > 0),
    admission_validity_seconds  integer     not null check (admission_validity_seconds > 0),
    proof_of_work_bits          integer     not null default 0 check (proof_of_work_bits between 0 and 24),
    delay_at_score              integer     not null check (delay_at_score between 0 and 101),
    refuse_at_score             integer     not null check (refuse_at_score between 0 and 101),
    queued                      boolean     not null default true,
    signing_key                 bytea       not null,   -- PKCS#8 private key, encrypted under TicketToken:Queue:SecretKey
    public_key                  bytea       not null,   -- SubjectPublicKeyInfo, published in queue.onsale-queued
    opened_at                   timestamptz,
    next_place                  bigint      not null default 1,
    sold_out                    boolean     not null default false,
    version                     bigint      not null,
    updated_at                  timestamptz not null
);

-- One place per account and on-sale (the primary key). place is null until the opening for those who came early;
-- a fan scored as a likely bot is placed behind everybody else by an offset (see Domain/RiskScore.cs).
create table entries (
    event_id        uuid        not null references onsales (event_id),
    user_id         uuid        not null,
    joined_at       timestamptz not null,
    place           bigint,
    risk_score      integer     not null,
    signals         text[]      not null,
    client_address  text,
    status          text        not null check (status in ('waiting', 'admitted', 'refused')),
    admitted_at     timestamptz,
    primary key (event_id, user_id)
);

create sequence arrivals;

create index entries_waiting on entries (event_id, place) where status = 'waiting';
