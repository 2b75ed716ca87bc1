-- The entry zones a device may scan at (GA, VIP, BACKSTAGE) and a version that grows with every change, so the
-- scanning module's copy of a device (fed by identity.device-changed) keeps the newest.
alter table devices add column zones   text[] not null default '{GA}';
alter table devices add column version bigint not null default 1;
