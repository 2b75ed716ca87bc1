using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;

namespace TicketToken.Identity.Data;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "identity";

    public DbSet<User> Users => Set<User>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<PasswordReset> PasswordResets => Set<PasswordReset>();
    public DbSet<Organizer> Organizers => Set<Organizer>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.Status).HasConversion(status => StatusName(status), name => ParseStatus(name));
        });
        // The foreign keys of the migration, declared so that EF orders inserts parent-first.
        modelBuilder.Entity<RecoveryCode>(code =>
        {
            code.ToTable("recovery_codes").HasKey(c => new { c.UserId, c.CodeHash });
            code.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Session>(session =>
        {
            session.ToTable("sessions");
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens").HasKey(t => t.TokenHash);
            token.HasOne<Session>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PasswordReset>(reset =>
        {
            reset.ToTable("password_resets").HasKey(r => r.TokenHash);
            reset.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Organizer>().ToTable("organizers");
        modelBuilder.Entity<Membership>(membership =>
        {
            membership.ToTable("memberships").HasKey(m => new { m.OrganizerId, m.UserId });
            membership.HasOne<Organizer>().WithMany().HasForeignKey(m => m.OrganizerId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Invitation>(invitation =>
        {
            invitation.ToTable("invitations");
            invitation.HasOne<Organizer>().WithMany().HasForeignKey(i => i.OrganizerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Device>(device =>
        {
            device.ToTable("devices");
            device.HasOne<Organizer>().WithMany().HasForeignKey(d => d.OrganizerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SigningKey>().ToTable("signing_keys").HasKey(k => k.Kid);
    }

    private static string StatusName(UserStatus status) => status switch
    {
        UserStatus.Active => "active",
        UserStatus.Deactivated => "deactivated",
        _ => "erased",
    };

    private static UserStatus ParseStatus(string name) => name switch
    {
        "active" => UserStatus.Active,
        "deactivated" => UserStatus.Deactivated,
        _ => UserStatus.Erased,
    };
}

public enum UserStatus
{
    Active,
    Deactivated,
    Erased,
}

public sealed class User
{
    public Guid Id { get; set; }
    public string? Email { get; set; }
    public string? DisplayName { get; set; }
    public string? PasswordHash { get; set; }
    public UserStatus Status { get; set; }
    public bool IsPlatformAdmin { get; set; }
    public byte[]? TotpSecret { get; set; }
    public byte[]? PendingTotpSecret { get; set; }
    public long? TotpLastStep { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ErasedAt { get; set; }

    public bool MfaEnabled => TotpSecret is not null;
}

public sealed class RecoveryCode
{
    public Guid UserId { get; set; }
    public required byte[] CodeHash { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class Session
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string[] Amr { get; set; }
    public string? ClientAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastUsedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }

    public void Revoke(DateTimeOffset now, string reason)
    {
        RevokedAt ??= now;
        RevokedReason ??= reason;
    }
}

public sealed class RefreshToken
{
    public required byte[] TokenHash { get; set; }
    public Guid SessionId { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class PasswordReset
{
    public required byte[] TokenHash { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class Organizer
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public bool RequireMfa { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Membership
{
    public Guid OrganizerId { get; set; }
    public Guid UserId { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Invitation
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }
    public required byte[] CodeHash { get; set; }
    public Guid InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public Guid? AcceptedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class Device
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid VenueId { get; set; }
    public required string Name { get; set; }
    public required byte[] SecretHash { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The entry zones whose gates the device may scan at.</summary>
    public string[] Zones { get; set; } = [AccessZones.GeneralAdmission];

    /// <summary>Grows with every change the scanning module must hear of (<see cref="DeviceChanged"/>).</summary>
    public long Version { get; set; } = 1;
}

public sealed class SigningKey
{
    public required string Kid { get; set; }
    public required byte[] PrivateKey { get; set; }
    public required string PublicJwk { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ActivatesAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
}
