-- The catalogue of the module's workflow instances, so an operator can list them by workflow and status: the
-- instances themselves are actor state, which neither runtime can query (a sidecar's actor store has no query).
-- The workflow actor writes a row whenever an instance's status or custom status changes.
create table workflow_instances (
    instance_id   text        primary key,
    name          text        not null,
    status        text        not null,
    custom_status jsonb,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create index workflow_instances_by_name_status on workflow_instances (name, status, created_at desc, instance_id);
create index workflow_instances_by_created on workflow_instances (created_at desc, instance_id);
