-- How the older platform kept seats: one row per seat, its status changed in place under row locks.
create table seats (
    event_id    uuid        not null,
    seat_id     text        not null,
    section     text        not null,
    row_index   int         not null,
    seat_number int         not null,
    status      text        not null check (status in ('available', 'held', 'sold')),
    hold_id     uuid,
    buyer_id    uuid,
    expires_at  timestamptz,
    primary key (event_id, seat_id)
);

-- Best available walks a section's available seats in quality order.
create index seats_available on seats (event_id, section, row_index, seat_number) where status = 'available';
