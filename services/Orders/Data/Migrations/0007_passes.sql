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
-- The event whose cancellation a refund answers: a pass's order has a refund per cancelled event of it (that event's
-- lines only), so the order's own event no longer says which cancellation a refund belongs to.
alter table orders.refunds add column event_id uuid;
update orders.refunds r set event_id = o.event_id from orders.orders o where o.id = r.order_id and r.cause = 'event_cancelled';
alter table orders.refunds add constraint refunds_cancelled_event check ((cause is not distinct from 'event_cancelled') = (event_id is not null));
-- At most one cancellation refund per order and cancelled event (before: per order).
drop index orders.refunds_one_per_cancelled_order;
create unique index refunds_one_per_cancelled_order_event on orders.refunds (order_id, event_id) where cause = 'event_cancelled';
create index refunds_cancelled_event on orders.refunds (event_id) where event_id is not null;
