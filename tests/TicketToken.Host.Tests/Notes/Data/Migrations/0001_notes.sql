create table notes.notes (
    id           uuid        primary key,
    text         text        not null,
    created_at   timestamptz not null,
    delivered_at timestamptz,
    deliveries   int         not null default 0
);
