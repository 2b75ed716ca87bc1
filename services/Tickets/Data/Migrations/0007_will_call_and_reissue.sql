-- Will-call: a ticket held for pickup at the box office is locked (reason will_call) from its issue until an ID check
-- there releases it. Reissue: support gives a lost or stolen ticket a new secret version, audited like a lock.
alter table tickets drop constraint tickets_lock_reason_check;
alter table tickets add constraint tickets_lock_reason_check check (lock_reason in ('listing', 'support', 'will_call'));
alter table ticket_audit drop constraint ticket_audit_action_check;
alter table ticket_audit add constraint ticket_audit_action_check check (action in ('lock', 'unlock', 'reissue'));
alter table ticket_audit add column reason text check (reason in ('lost', 'stolen', 'damaged', 'other'));
