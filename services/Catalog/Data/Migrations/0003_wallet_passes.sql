-- Whether the organizer lets tickets leave the app as wallet passes and printed PDFs (docs/adr/0013). Events made
-- before the choice existed allow them, which is what they always did.
alter table events add column wallet_passes_allowed boolean not null default true;
