-- Actor state values of a few kilobytes (a section row's claims, a buyer's holds) are rewritten on every turn that
-- changes them. Past 2 kB PostgreSQL compresses each new version (pglz), which an on-sale profile showed costing 8 %
-- of the machine. Values up to a page stay inline and uncompressed; only larger ones (workflow histories) are toasted.
alter table actor_state set (toast_tuple_target = 8160);
