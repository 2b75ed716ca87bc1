-- Comps: free tickets an organizer gives to named guests. A comp order is an order like a sale (its hold counts
-- against capacity, its tickets admit at the gate) whose total is zero and that never has a payment intent; each of
-- its lines names its guest and why they were invited.
alter table orders.orders
    add column kind text not null default 'sale' check (kind in ('sale', 'comp'));
alter table orders.orders
    add constraint orders_comp_is_free check (kind <> 'comp' or total = 0);
alter table orders.order_lines
    add column guest_name  text check (char_length(guest_name) between 1 and 200),
    add column guest_email text check (char_length(guest_email) between 3 and 254),
    add column comp_reason text check (comp_reason in ('press', 'artist', 'staff', 'sponsor', 'guest'));
create index orders_event_kind on orders.orders (event_id, kind);
