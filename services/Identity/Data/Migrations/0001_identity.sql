-- People, their sign-in sessions and second factors; organizers (tenants), their staff and scanner devices;
-- the keys access tokens are signed with; and the counters behind login and reset throttling.
create table users (
    id                  uuid        primary key,
    email               text        unique,          -- normalised (trimmed, lower case); null once erased
    display_name        text,
    password_hash       text,
    status              text        not null check (status in ('active', 'deactivated', 'erased')),
    is_platform_admin   boolean     not null default false,
    totp_secret         bytea,                       -- protected with the identity secret key
    pending_totp_secret bytea,
    totp_last_step      bigint,                      -- a code is accepted once per time step
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    erased_at           timestamptz
);

create table recovery_codes (
    user_id   uuid        not null references users (id) on delete cascade,
    code_hash bytea       not null,
    used_at   timestamptz,
    primary key (user_id, code_hash)
);

-- A session is one sign-in; its refresh tokens form one family that rotates on every use.
create table sessions (
    id             uuid        primary key,
    user_id        uuid        not null references users (id) on delete cascade,
    amr            text[]      not null,
    client_address text,
    user_agent     text,
    created_at     timestamptz not null,
    last_used_at   timestamptz not null,
    expires_at     timestamptz not null,
    revoked_at     timestamptz,
    revoked_reason text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

create table refresh_tokens (
    token_hash bytea       primary key,
    session_id uuid        not null references sessions (id) on delete cascade,
    issued_at  timestamptz not null,
    expires_at timestamptz not null,
    used_at    timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

create table password_resets (
    token_hash bytea       primary key,
    user_id    uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at    timestamptz
);

create table organizers (
    id          uuid        primary key,
    name        text        not null,
    require_mfa boolean     not null default false,
    created_at  timestamptz not null
);

create table memberships (
    organizer_id uuid        not null references organizers (id) on delete cascade,
    user_id      uuid        not null references users (id) on delete cascade,
    role         text        not null check (role in ('organizer_admin', 'box_office')),
    created_at   timestamptz not null,
    primary key (organizer_id, user_id)
);
create index memberships_user on memberships (user_id);

create table invitations (
    id           uuid        primary key,
    organizer_id uuid        not null references organizers (id) on delete cascade,
    email        text        not null,
    role         text        not null check (role in ('organizer_admin', 'box_office')),
    code_hash    bytea       not null unique,
    invited_by   uuid        not null,
    created_at   timestamptz not null,
    expires_at   timestamptz not null,
    accepted_at  timestamptz,
    accepted_by  uuid,
    revoked_at   timestamptz
);
create index invitations_organizer on invitations (organizer_id, created_at);

create table devices (
    id           uuid        primary key,
    organizer_id uuid        not null references organizers (id) on delete cascade,
    venue_id     uuid        not null,
    name         text        not null,
    secret_hash  bytea       not null,
    created_by   uuid        not null,
    created_at   timestamptz not null,
    last_seen_at timestamptz,
    revoked_at   timestamptz
);
create index devices_organizer on devices (organizer_id, created_at);

-- Access tokens are ES256; a key is published from creation until the last token it signed has expired.
create table signing_keys (
    kid          text        primary key,
    private_key  bytea       not null,               -- PKCS#8, protected with the identity secret key
    public_jwk   text        not null,
    created_at   timestamptz not null,
    activates_at timestamptz not null,
    expires_at   timestamptz                         -- null while it is the newest key
);

-- Failure counters for throttling: key is e.g. 'login:account:<sha256 of e-mail>' or 'login:address:<ip>'.
create table throttles (
    key           text        primary key,
    window_start  timestamptz not null,
    attempts      int         not null,
    locked_until  timestamptz
);
