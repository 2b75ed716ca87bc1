-- Offers: a buyer offers less than a listing's asking price (never more than its cap); the seller accepts, declines or
-- counters, and the buyer may accept a counter. An offer is open (pending, countered) until it expires; an accepted one
-- reserves the listing for its buyer through a resale at the agreed price, like a purchase does.
create table offers (
    id            uuid        primary key,
    listing_id    uuid        not null references listings (id),
    event_id      uuid        not null,
    seller_id     uuid        not null,
    buyer_id      uuid        not null,
    price         bigint      not null check (price > 0),          -- the buyer's offer
    counter_price bigint      check (counter_price > price),       -- the seller's counter, when countered
    currency      text        not null,
    status        text        not null check (status in ('pending', 'countered', 'accepted', 'declined', 'withdrawn', 'expired', 'void')),
    resale_id     uuid,                                             -- the resale an acceptance started
    expires_at    timestamptz not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    check (buyer_id <> seller_id),
    check ((status = 'accepted') = (resale_id is not null) or status in ('expired', 'void'))
);
-- One accepted offer per listing; one open offer per buyer and listing.
create unique index offers_accepted_listing on offers (listing_id) where status = 'accepted';
create unique index offers_open_buyer on offers (listing_id, buyer_id) where status in ('pending', 'countered');
create index offers_listing on offers (listing_id, created_at desc);
create index offers_buyer on offers (buyer_id, created_at desc);

alter table resales add column offer_id uuid references offers (id);

-- The event's own anti-scalping rules, from its resale policy in catalog (null: the platform's configuration applies).
alter table events
    add column listing_cooldown_minutes integer,
    add column max_listings_per_fan     integer;
