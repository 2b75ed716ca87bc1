-- The event's resale policy also says how long after buying a ticket a fan waits before listing it, and how many tickets
-- of the event one fan may resell; unset, the marketplace's platform defaults apply.
alter table events
    add column resale_listing_cooldown_minutes integer check (resale_listing_cooldown_minutes between 0 and 43200),
    add column resale_max_listings_per_fan     integer check (resale_max_listings_per_fan between 1 and 1000);
