-- Minting: a mirror of every ticket's ownership, kept equal to the tickets module's database (the source of truth).

-- What tickets says each ticket is now (from tickets.changed, the highest sequence kept), and how far the mirror has caught up.
create table tickets (
    ticket_id          uuid        primary key,
    event_id           uuid        not null,
    organizer_id       uuid        not null,
    owner_id           uuid        not null,
    status             text        not null,
    sequence           bigint      not null,
    label              text,                    -- type and seat, from tickets.issued (the token's metadata)
    changed_at         timestamptz not null,
    mirrored_sequence  bigint      not null default 0, -- the sequence the backend last made true
    attempts           integer     not null default 0,
    next_attempt_at    timestamptz,
    lease_until        timestamptz,             -- a worker is on it until then
    last_error         text
);
create index tickets_behind on tickets (next_attempt_at nulls first) where mirrored_sequence < sequence;
create index tickets_owner on tickets (owner_id);

-- Keys minting made itself (the registry's signing key, the fee payer and the mint seed when not configured), encrypted
-- with the module's secret key.
create table keys (
    name           text        primary key,
    key_ciphertext bytea       not null,
    created_at     timestamptz not null
);

-- The off-chain registry: per ticket an append-only log, each entry hashed over its predecessor's hash and signed with the
-- registry key (Ed25519). Rows are never changed or removed: the triggers below refuse it.
create table registry_entries (
    ticket_id     uuid        not null,
    position      integer     not null,
    kind          text        not null,
    owner_id      uuid        not null,
    status        text        not null,
    sequence      bigint      not null,
    recorded_at   timestamptz not null,
    previous_hash bytea       not null,
    hash          bytea       not null,
    signature     bytea       not null,
    primary key (ticket_id, position)
);

create function registry_entries_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'minting.registry_entries is append-only';
end $$;
create trigger registry_entries_no_update before update or delete on registry_entries
    for each row execute function registry_entries_append_only();

-- One custodial Solana wallet per fan: an Ed25519 seed encrypted with the module's secret key.
create table wallets (
    owner_id       uuid        primary key,
    address        text        not null unique,
    seed_ciphertext bytea      not null,
    created_at     timestamptz not null,
    exported_at    timestamptz
);

-- Every chain transaction minting signed, recorded before it is sent: after a crash the signature is looked up on the chain.
create table chain_operations (
    id                     uuid        primary key,
    ticket_id              uuid        not null,
    kind                   text        not null check (kind in ('mint', 'transfer', 'burn')),
    sequence               bigint      not null,
    mint                   text        not null,
    to_owner_id            uuid,
    signature              text        not null unique,
    transaction            bytea       not null,
    last_valid_block_height bigint     not null,
    status                 text        not null check (status in ('signed', 'sent', 'landed', 'failed', 'expired')),
    error                  text,
    created_at             timestamptz not null,
    updated_at             timestamptz not null
);
create index chain_operations_ticket on chain_operations (ticket_id, created_at);
create index chain_operations_open on chain_operations (status) where status in ('signed', 'sent');

-- Reconciliation runs: what was compared, what was repaired, what needs a person.
create table reconciliation_runs (
    id           uuid        primary key,
    backend      text        not null,
    started_at   timestamptz not null,
    finished_at  timestamptz not null,
    checked      integer     not null,
    in_sync      integer     not null,
    repaired     integer     not null,
    unrepairable integer     not null,
    findings     jsonb       not null
);
