using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Minting.Data;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Apis;

/// <summary>A fan takes their custodial wallet's key out of the platform, after proving again who they are (ADR 0025).</summary>
public static class WalletsApi
{
    public static IEndpointRouteBuilder MapWalletsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/minting/wallets").WithTags("Minting");
        group.MapPost("/{address}/export", ExportWallet).RequireAuthorization(Policies.Fan).WithName("ExportMyWallet")
            .WithSummary("Your custodial wallet's secret key, in the forms Solana wallets import; needs a re-authentication proof not older than 5 minutes.")
            .Problems(MintingProblems.WalletNotFound, () => MintingProblems.Reauthentication(ReauthenticationOutcome.Missing),
                () => MintingProblems.Reauthentication(ReauthenticationOutcome.Expired), () => MintingProblems.Reauthentication(ReauthenticationOutcome.Invalid),
                () => MintingProblems.Reauthentication(ReauthenticationOutcome.Mismatch), () => MintingProblems.TooManyExportAttempts(0));
        return app;
    }

    public sealed record ExportWalletRequest([property: StringLength(4096)] string? ReauthenticationProof);

    /// <summary>
    /// <see cref="SecretKey"/>: Base58 of the 64-byte keypair (seed then public key), what Phantom or Solflare import;
    /// <see cref="Keypair"/>: the same 64 bytes as the JSON array a <c>solana-keygen</c> key file holds.
    /// </summary>
    public sealed record ExportedWalletResponse(string Address, string SecretKey, IReadOnlyList<int> Keypair, DateTimeOffset ExportedAt);

    [SkipValidation] // services, not input
    public sealed record ExportServices(MintingDbContext Db, ReauthenticationProofs Proofs, [FromKeyedServices(MintingModule.Id)] SecretProtector Protector,
        TimeProvider Time, IOptions<MintingOptions> Options, ILoggerFactory Loggers);

    private static async Task<Ok<ExportedWalletResponse>> ExportWallet(string address, ExportWalletRequest? request, Caller caller,
        HttpContext http, [AsParameters] ExportServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var logger = services.Loggers.CreateLogger("TicketToken.Minting.WalletExport");
        var options = services.Options.Value;
        var fanId = caller.RequiredUserId;
        var client = http.Connection.RemoteIpAddress?.ToString();
        var now = services.Time.GetUtcNow();
        var windowStart = now - options.WalletExportWindow;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One attempt of a fan at a time, so two at once cannot both slip under the limit.
        await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtext('minting.wallet-export'), hashtext({fanId.ToString()}))", cancellationToken);
        var lockedUntil = await LockedUntilAsync(db.WalletExportAttempts.Where(a => a.FanId == fanId), options.MaxWalletExportAttempts, windowStart, options.WalletExportWindow, cancellationToken)
            ?? (client is null ? null
                : await LockedUntilAsync(db.WalletExportAttempts.Where(a => a.ClientAddress == client), options.MaxWalletExportAttemptsPerAddress, windowStart, options.WalletExportWindow, cancellationToken));
        if (lockedUntil is { } until)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((until - now).TotalSeconds));
            logger.LogWarning("Wallet export locked for fan {FanId} from {ClientAddress}: too many attempts", fanId, client);
            throw MintingProblems.TooManyExportAttempts(seconds);
        }

        var asked = PublicKey.TryParse(address, out var key) ? key.ToString() : null;
        var wallet = asked is null ? null : await db.Wallets.SingleOrDefaultAsync(w => w.Address == asked && w.OwnerId == fanId, cancellationToken);
        var outcome = wallet is null ? ReauthenticationOutcome.Missing : await services.Proofs.CheckAsync(request?.ReauthenticationProof, caller, cancellationToken);
        var recorded = wallet is null ? "wallet_not_found" : outcome switch
        {
            ReauthenticationOutcome.Fresh => "exported",
            ReauthenticationOutcome.Expired => "reauthentication_expired",
            ReauthenticationOutcome.Invalid => "reauthentication_invalid",
            ReauthenticationOutcome.Mismatch => "reauthentication_mismatch",
            _ => "reauthentication_required",
        };
        db.WalletExportAttempts.Add(new WalletExportAttempt
        {
            Id = Guid.NewGuid(),
            FanId = fanId,
            Address = asked,
            Outcome = recorded,
            ClientAddress = client,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 300)] : null,
            AttemptedAt = now,
        });
        if (wallet is not null && outcome == ReauthenticationOutcome.Fresh)
        {
            wallet.ExportedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (wallet is null)
        {
            // Someone else's wallet is answered exactly like one that does not exist.
            throw MintingProblems.WalletNotFound();
        }

        if (outcome != ReauthenticationOutcome.Fresh)
        {
            logger.LogWarning("Wallet export refused for fan {FanId}, wallet {Address}: {Outcome}", fanId, wallet.Address, recorded);
            throw MintingProblems.Reauthentication(outcome);
        }

        var keypair = new Keypair(services.Protector.Unprotect(wallet.SeedCiphertext));
        var secretKey = keypair.SecretKey();
        // Only the address: the key leaves in the response body and nowhere else.
        logger.LogInformation("Fan {FanId} exported custodial wallet {Address}", fanId, wallet.Address);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ExportedWalletResponse(wallet.Address, SimpleBase.Base58.Bitcoin.Encode(secretKey), [.. secretKey.Select(b => (int)b)], now));
    }

    /// <summary>When the attempts in the window fall below <paramref name="limit"/> again, or null when they are below it now.</summary>
    private static async Task<DateTimeOffset?> LockedUntilAsync(IQueryable<WalletExportAttempt> attempts, int limit, DateTimeOffset windowStart, TimeSpan window,
        CancellationToken cancellationToken)
    {
        var recent = await attempts.Where(a => a.AttemptedAt > windowStart).OrderByDescending(a => a.AttemptedAt).Select(a => a.AttemptedAt)
            .Take(limit).ToListAsync(cancellationToken);
        return recent.Count < limit ? null : recent[^1] + window;
    }
}
