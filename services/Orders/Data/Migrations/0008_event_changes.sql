-- Changes of a published event (docs/adr/0026). A price change leaves holds made before it at the old price: each
-- replaced price is kept with the moment it stopped applying. A reschedule offers the holders of orders bought
-- before it a refund until a deadline the organizer set; a claim is an ordinary refund with its own cause, one per order.
create table ticket_price_history (
    event_id       uuid        not null references events (id) on delete cascade,
    ticket_type_id uuid        not null,
    price_minor    bigint      not null check (price_minor >= 0),
    replaced_at    timestamptz not null,
    primary key (event_id, ticket_type_id, replaced_at)
);

create table event_reschedules (
    event_id           uuid        not null references events (id) on delete cascade,
    version            bigint      not null,
    previous_starts_at timestamptz not null,
    starts_at          timestamptz not null,
    rescheduled_at     timestamptz not null,
    refund_until       timestamptz not null,
    reason             text,
    primary key (event_id, version)
);

alter table refunds drop constraint refunds_cause_check;
alter table refunds add constraint refunds_cause_check check (cause in ('event_cancelled', 'event_rescheduled'));
create unique index refunds_one_per_rescheduled_order on refunds (order_id) where cause = 'event_rescheduled';
