-- How to pay, kept with the order: the fan's GET of the order (and a wait for its next change) reads one row
-- instead of the purchase workflow's state.
alter table orders.orders
    add column payment_gateway text,
    add column payment_client_secret text;
