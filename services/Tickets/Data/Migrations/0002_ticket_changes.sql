-- Every change of a ticket's status, owner, lock or secret version publishes tickets.changed with a sequence that
-- grows per ticket, so that scanning's copy keeps the newest whatever order messages arrive in. The version is that
-- sequence; it is also the ticket's concurrency token, so two changes can never claim the same number.
alter table tickets add column version bigint not null default 1 check (version > 0);
alter table tickets add column changed_at timestamptz;
update tickets set changed_at = status_changed_at;
alter table tickets alter column changed_at set not null;
