-- A completed resale of a cancelled event is refunded to its buyer: it stays completed (the ticket did change hands) and
-- records when its money went back, which also makes the refund happen once however often the cancellation is delivered.
alter table resales add column refunded_at timestamptz;
create index resales_event_unrefunded on resales (event_id) where status = 'completed' and refunded_at is null;
