-- A declined card does not end the order (docs/adr/0011): it stays payable with its hold until pay_by, and shows how
-- many confirmations the gateway reported and why the last refused one was declined.
alter table orders.orders
    add column payment_attempts     integer not null default 0,
    add column last_decline_code    text,
    add column last_decline_message text;
