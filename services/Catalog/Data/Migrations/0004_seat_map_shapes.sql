-- What a pretix seating-plan import keeps beyond the seats (the plan's size, its zones' positions and area shapes such as
-- the stage), so that exporting the map gives the organizer back what they brought (docs/adr/0022). Null for maps made here.
alter table seat_maps add column shapes jsonb;
