-- The scanning module's own copies of what other modules own (fed by their events, newest version wins), the scan
-- policies, and the scan log. Tickets, events, devices and organizers live elsewhere: their ids are bare here.

-- Events from event.published / event.cancelled.
create table events (
    id             uuid        primary key,
    organizer_id   uuid        not null,
    venue_id       uuid        not null,
    name           text        not null,
    starts_at      timestamptz not null,
    ends_at        timestamptz not null,
    version        bigint      not null,
    cancelled_at   timestamptz,
    projected_at   timestamptz not null
);

-- Ticket type → entry zone (GA, VIP, BACKSTAGE), from event.published.
create table ticket_types (
    event_id       uuid not null references events (id) on delete cascade,
    id             uuid not null,
    access_zone    text not null check (access_zone in ('GA', 'VIP', 'BACKSTAGE')),
    primary key (event_id, id)
);

-- The event's entry key, fetched once from the tickets module and kept encrypted under TicketToken:Scanning:SecretKey.
create table event_keys (
    event_id       uuid        primary key,
    key_ciphertext bytea       not null,
    step_seconds   integer     not null check (step_seconds between 1 and 30),
    fetched_at     timestamptz not null
);

-- Tickets from tickets.changed (the highest sequence wins). projected_at lets another replica's cache catch up.
create table tickets (
    id             uuid        primary key,
    event_id       uuid        not null,
    organizer_id   uuid        not null,
    ticket_type_id uuid        not null,
    status         text        not null,
    secret_version integer     not null check (secret_version > 0),
    locked         boolean     not null,
    sequence       bigint      not null,
    projected_at   timestamptz not null
);
create index tickets_event on tickets (event_id, projected_at);

-- Devices from identity.device-changed (the highest version wins).
create table devices (
    id             uuid        primary key,
    organizer_id   uuid        not null,
    venue_id       uuid        not null,
    name           text        not null,
    zones          text[]      not null,
    active         boolean     not null,
    version        bigint      not null,
    projected_at   timestamptz not null
);

-- One policy per event (absent: the Standard template); the rules are one jsonb document (Domain/ScanPolicy.cs).
create table scan_policies (
    event_id       uuid        primary key,
    template       text        not null,
    rules          jsonb       not null,
    updated_by     uuid        not null,
    updated_at     timestamptz not null
);

-- Every scan, allowed or denied, online or uploaded after an offline spell. Append-only: rows are never changed or
-- deleted (a trigger refuses it). A ticket's check-in state is what its allowed rows say (Actors/TicketCheckInActor.cs).
create table scans (
    id             uuid        primary key,
    event_id       uuid        not null,
    ticket_id      uuid,                     -- null when the code did not even parse
    device_id      uuid        not null,
    gate           text        not null,
    zone           text        not null,
    direction      text        not null check (direction in ('entry', 'exit')),
    allowed        boolean     not null,
    reason         text,                     -- a stable code (docs/adr/0012-scanning.md); null when allowed
    offline        boolean     not null,
    device_scan_id uuid,                     -- offline: the device's own id of the scan, what makes an upload idempotent
    scanned_at     timestamptz not null,
    recorded_at    timestamptz not null,
    check ((allowed and reason is null) or (not allowed and reason is not null)),
    check (offline = (device_scan_id is not null))
);
create unique index scans_device_scan on scans (device_id, device_scan_id) where device_scan_id is not null;
create index scans_ticket on scans (ticket_id, scanned_at) where allowed;
create index scans_event on scans (event_id, scanned_at);

create function scans_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'scans are append-only';
end $$;
create trigger scans_append_only before update or delete on scans for each statement execute function scans_append_only();

-- Admissions that, put in time order, the policy would have refused: two devices let one ticket in while one of them
-- was offline. The earliest admission stands; each later one is a conflict for the organizer.
create table conflicts (
    scan_id            uuid        primary key references scans (id),
    event_id           uuid        not null,
    ticket_id          uuid        not null,
    device_id          uuid        not null,
    scanned_at         timestamptz not null,
    reason             text        not null,
    first_scan_id      uuid        not null references scans (id),
    first_device_id    uuid        not null,
    first_scanned_at   timestamptz not null,
    detected_at        timestamptz not null
);
create index conflicts_event on conflicts (event_id, scanned_at);

-- The ES256 keys manifests are signed with; the private key encrypted under TicketToken:Scanning:SecretKey.
create table signing_keys (
    kid            text        primary key,
    private_key    bytea       not null,
    public_jwk     text        not null,
    created_at     timestamptz not null
);
