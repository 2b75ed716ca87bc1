-- What fans carry besides the app (docs/adr/0013-entry-code-v2-and-wallet-passes.md): the PDF, Apple and Google Wallet.

-- From event.published: whether the organizer allows wallet passes; and when what a pass shows of the event last
-- changed (an announcement with a newer version, a cancellation), which is how a wallet learns its pass changed.
alter table events add column wallet_passes_allowed boolean not null default true;
alter table events add column updated_at timestamptz;
update events set updated_at = created_at;
alter table events alter column updated_at set not null;

-- The names of ticket holders as identity announced them at registration (identity.user-registered), printed on the
-- PDF and the passes; an erased person's row is deleted (identity.user-erased).
create table holders (
    user_id      uuid        primary key,
    display_name text,
    updated_at   timestamptz not null
);

-- Apple Wallet's pass web service: a device that installed a pass asks to hear of its changes. A pass is one ticket at
-- one secret version (its serial number); the push token is what Apple's push service would be told to wake.
create table apple_pass_registrations (
    device_library_id text        not null,
    pass_type_id      text        not null,
    serial_number     text        not null,
    ticket_id         uuid        not null references tickets (id),
    push_token        text        not null,
    registered_at     timestamptz not null,
    primary key (device_library_id, pass_type_id, serial_number)
);
create index apple_pass_registrations_ticket on apple_pass_registrations (ticket_id);

-- Random keys the module makes once and every replica shares, encrypted under TicketToken:Tickets:SecretKey: the key
-- that signs wallet links in e-mails and makes each Apple pass's authentication token.
create table wallet_keys (
    name           text        primary key,
    key_ciphertext bytea       not null,
    created_at     timestamptz not null
);
