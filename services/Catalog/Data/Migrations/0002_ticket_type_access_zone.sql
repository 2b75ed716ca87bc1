-- Where a ticket of the type may enter (DESIGN.md section 4, "Entry"): the zones nest, BACKSTAGE ⊃ VIP ⊃ GA. Types
-- made before zones existed admit to general admission, which is what they always meant.
alter table ticket_types add column access_zone text not null default 'GA' check (access_zone in ('GA', 'VIP', 'BACKSTAGE'));
