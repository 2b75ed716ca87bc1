-- Season and multi-day passes (docs/adr/0023): one product over several events of an organizer, sold once at one price.
-- Each of its events names the ticket type its ticket there is of; a seated pass keeps one seat map so that the same
-- seat exists in every event.
create table passes (
    id uuid primary key,
    organizer_id uuid not null,
    name text not null,
    description text,
    kind text not null check (kind in ('reserved', 'general_admission')),
    seat_map_id uuid references seat_maps (id),
    price_minor bigint not null check (price_minor >= 0),
    currency text not null,
    created_at timestamptz not null
);

create index passes_by_organizer on passes (organizer_id, created_at desc, id desc);

create table pass_events (
    pass_id uuid not null references passes (id) on delete cascade,
    event_id uuid not null references events (id),
    ticket_type_id uuid not null references ticket_types (id),
    position int not null,
    primary key (pass_id, event_id)
);

create index pass_events_by_event on pass_events (event_id);
