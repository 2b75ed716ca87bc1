-- Seller payouts that fall due are paid out: a payout is reserved (pending, posted out of the seller's escrow) before
-- its transfer, so a crash between the two leaves it pending for the next run, which repeats the transfer with the same
-- idempotency key (the resale id). The organizer of the resold event is kept for its admins' view of them.
alter table seller_payouts drop constraint seller_payouts_status_check;
alter table seller_payouts add constraint seller_payouts_status_check check (status in ('scheduled', 'withheld', 'pending', 'paid', 'failed'));
alter table seller_payouts
    add column organizer_id    uuid,
    add column account_id      text,
    add column transfer_id     text,
    add column failure_message text;
update seller_payouts p set organizer_id = t.organizer_id
    from journal_transactions t where t.source_type = 'resale' and t.source_id = p.resale_id::text;
create index seller_payouts_organizer on seller_payouts (organizer_id, created_at desc);
create index seller_payouts_pending on seller_payouts (resale_id) where status = 'pending';
