-- When the fan's order was confirmed: the start of the cooldown before its tickets may be listed (orders confirmed
-- before this column existed have none, and no cooldown).
alter table order_amounts add column confirmed_at timestamptz;
create index listings_seller_event on listings (seller_id, event_id) where status in ('active', 'reserved', 'sold');
