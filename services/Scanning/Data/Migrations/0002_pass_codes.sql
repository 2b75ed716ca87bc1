-- Whether the event's organizer allows wallet passes (event.published), which decides whether the gate admits the
-- fixed pass codes of Apple Wallet passes and PDFs (docs/adr/0013). Events announced before it existed allow them.
alter table events add column wallet_passes_allowed boolean not null default true;
