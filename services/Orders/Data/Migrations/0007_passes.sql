-- Season and multi-day passes (docs/adr/0023): one order over the events of a pass, paid once. The order keeps its
-- first event in event_id (its page, its receipt) and the pass hold's id in hold_id; each line names its own event,
-- whose hold is the pass hold's part for that event.
alter table orders.orders
    add column pass_id   uuid,
    add column pass_name text check (char_length(pass_name) between 1 and 200),
    add constraint orders_pass_named check ((pass_id is null) = (pass_name is null));
alter table orders.order_lines
    add column event_id uuid,
    add column pass_id  uuid,
    add constraint order_lines_pass_event check ((pass_id is null) = (event_id is null));
-- A cancelled event finds the pass orders that have a line of it.
create index order_lines_pass_event on orders.order_lines (event_id) where event_id is not null;
