-- A published event changes by versioned steps (docs/adr/0026): what fans are shown of the venue for this event (its
-- name and address as the organizer now gives them, doors time) lives on the event, and every change is kept with
-- the version it made, for the organizer's history.
alter table events
    add column venue_name    text,
    add column venue_address text,
    add column doors_at      timestamptz;

create table event_revisions (
    event_id   uuid        not null references events (id) on delete cascade,
    version    bigint      not null check (version > 1),
    kind       text        not null check (kind in ('rescheduled', 'venue_details', 'capacity', 'prices')),
    reason     text,
    details    jsonb       not null,
    changed_by uuid        not null,
    changed_at timestamptz not null,
    primary key (event_id, version)
);
