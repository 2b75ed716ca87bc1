-- Season and multi-day passes (docs/adr/0023): a pass is one ticket per event, each of its own event, linked by the
-- pass; "my tickets" groups them and a gift or a listing moves them together or not at all.
alter table tickets add column pass_id uuid;
alter table tickets add column pass_name text check (char_length(pass_name) between 1 and 200);
alter table tickets add constraint tickets_pass_named check ((pass_id is null) = (pass_name is null));
create index tickets_owner_pass on tickets (owner_id, pass_id) where pass_id is not null;
-- A gift of a whole pass is one transfer (of the ticket it was started from) that moves every ticket of the pass.
alter table transfers add column pass_id uuid;
