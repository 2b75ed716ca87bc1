-- A ticket can be locked (listed for resale, held by support): it cannot be given away and its codes do not admit until
-- the lock is lifted by whoever set it (lock_id). tickets.changed carries locked = (lock_reason is not null).
alter table tickets
    add column lock_reason text check (lock_reason in ('listing', 'support')),
    add column lock_id     uuid,
    add column locked_at   timestamptz,
    add constraint tickets_lock check ((lock_reason is null) = (lock_id is null) and (lock_id is null) = (locked_at is null));
