-- Box office (docs/adr/0021): orders sold at the counter or taken by phone by an organizer's box-office staff, paid in
-- cash or on the organizer's own card terminal (no payment intent), optionally held for pickup (will-call); the ID
-- check that releases a will-call order, and an audit of every box-office action.
alter table orders.orders drop constraint orders_kind_check;
alter table orders.orders add constraint orders_kind_check check (kind in ('sale', 'comp', 'box_office'));
alter table orders.orders
    add column payment_method     text check (payment_method in ('cash', 'card_present')),
    add column terminal_reference text check (char_length(terminal_reference) between 1 and 100),
    add column channel            text check (channel in ('counter', 'phone')),
    add column buyer_name         text check (char_length(buyer_name) between 1 and 200),
    add column buyer_email        text check (char_length(buyer_email) between 3 and 254),
    add column mail_tickets       boolean not null default false,
    add column will_call          boolean not null default false,
    add constraint orders_counter_paid check ((kind = 'box_office') = (payment_method is not null) and (kind = 'box_office') = (channel is not null)),
    add constraint orders_terminal_reference check (payment_method is distinct from 'card_present' or terminal_reference is not null),
    add constraint orders_will_call_named check (not will_call or kind <> 'box_office' or buyer_name is not null);
create index orders_box_office_lookup on orders.orders (organizer_id, lower(buyer_email)) where buyer_email is not null;

-- The ID check at pickup: who released the order's tickets, when, the kind of document and at most its last four
-- characters (never a whole document number).
create table orders.will_call_releases (
    order_id        uuid        primary key references orders.orders (id),
    released_by     uuid        not null,
    released_at     timestamptz not null,
    document_type   text        not null check (document_type in ('passport', 'id_card', 'driving_licence', 'other')),
    document_last4  text        check (document_last4 ~ '^[A-Za-z0-9]{1,4}$'),
    collected_by    text        not null check (char_length(collected_by) between 1 and 200)
);

-- Every box-office action: a sale, a release, a lookup. Written in the transaction of what it records.
create table orders.box_office_audit (
    id           uuid        primary key,
    organizer_id uuid        not null,
    event_id     uuid,
    order_id     uuid,
    actor_id     uuid        not null,
    action       text        not null check (action in ('sale', 'phone_order', 'will_call_release', 'lookup')),
    details      jsonb       not null default '{}',
    at           timestamptz not null
);
create index box_office_audit_organizer on orders.box_office_audit (organizer_id, at desc, id desc);
