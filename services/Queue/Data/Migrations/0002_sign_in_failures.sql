-- Failed sign-ins per account and per client address (from identity.sign-in-failed), a risk signal of the join. One
-- counter per key ('account:<id>' or 'address:<ip>') over a window of a day that starts again with the first failure
-- after it ends, so the table holds one row per account or address that ever failed, not one per failure.
create table sign_in_failures (
    key           text        primary key,
    window_start  timestamptz not null,
    failures      integer     not null
);
