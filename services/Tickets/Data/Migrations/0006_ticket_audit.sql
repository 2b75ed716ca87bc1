-- What support did to a ticket, by whom and why: one row per lock or unlock an organizer's admin carried out.
create table ticket_audit (
    id           uuid primary key,
    ticket_id    uuid not null references tickets (id),
    organizer_id uuid not null,
    action       text not null check (action in ('lock', 'unlock')),
    note         text not null,
    actor_id     uuid not null,
    at           timestamptz not null
);

create index ticket_audit_ticket on ticket_audit (ticket_id, at);
