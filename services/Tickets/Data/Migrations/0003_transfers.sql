-- Gifts of tickets (docs/adr/0009-tickets.md). The ticket keeps its row and id; the transfer records who gave it to
-- whom and when, which is also what the cooldown and the daily limit are counted from.
create table transfers (
    id              uuid        primary key,
    ticket_id       uuid        not null references tickets (id),
    event_id        uuid        not null references events (id),
    sender_id       uuid        not null,
    recipient_email text        not null,      -- as the sender typed it (lower case); who accepts is recipient_id
    message         text,
    code_hash       bytea       not null,      -- SHA-256 of the acceptance code, which only the sender ever sees
    status          text        not null check (status in ('pending', 'accepted', 'cancelled', 'expired')),
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    recipient_id    uuid,
    completed_at    timestamptz,
    check ((status = 'accepted') = (recipient_id is not null)),
    check ((status = 'pending') = (completed_at is null))
);

-- A ticket has at most one pending transfer: the second line of defence behind the check in the API.
create unique index transfers_pending_ticket on transfers (ticket_id) where status = 'pending';
create index transfers_sender on transfers (sender_id, created_at);
create index transfers_recipient on transfers (recipient_id, created_at) where recipient_id is not null;
create index transfers_ticket_accepted on transfers (ticket_id, completed_at) where status = 'accepted';
