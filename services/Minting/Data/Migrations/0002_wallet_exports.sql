-- Every attempt to export a custodial wallet's key, refused ones too: the audit trail of the most sensitive thing a fan can
-- take out of the platform, and the counter that locks out guessing (like identity's sign-in throttle). Never the key itself.
create table wallet_export_attempts (
    id             uuid        primary key,
    fan_id         uuid        not null,
    address        text,                    -- the address asked for (null when it was not a Solana address)
    outcome        text        not null,    -- exported, wallet_not_found, reauthentication_required, reauthentication_expired, ...
    client_address text,
    user_agent     text,
    attempted_at   timestamptz not null
);
create index wallet_export_attempts_fan on wallet_export_attempts (fan_id, attempted_at);
create index wallet_export_attempts_client on wallet_export_attempts (client_address, attempted_at);
