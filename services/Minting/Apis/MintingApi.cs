using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Minting.Data;
using TicketToken.Minting.Domain;

namespace TicketToken.Minting.Apis;

/// <summary>
/// A fan's view of their ticket's record (registry entries or chain address and transactions), the registry's public key and
/// the tokens' metadata for anyone, and reconciliation for platform admins.
/// </summary>
public static class MintingApi
{
    public static IEndpointRouteBuilder MapMintingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/minting").WithTags("Minting");
        // Anonymous on purpose: a public key is for anyone who wants to check the registry's signatures.
        group.MapGet("/registry-key", GetRegistryKey).AllowAnonymous().WithName("GetRegistryKey")
            .WithSummary("The Ed25519 public key the ownership registry signs with, and how an entry's hash is made (to verify a ticket's history independently).");
        // Anonymous on purpose: a token's metadata is read by wallets and explorers, which carry no TicketToken token. It names no person.
        group.MapGet("/tokens/{mint}/metadata", GetTokenMetadata).AllowAnonymous().WithName("GetTicketTokenMetadata")
            .WithSummary("The metadata of a ticket's token by its mint address (event, seat, ticket id), in the JSON shape NFT wallets read.")
            .Problems(MintingProblems.TokenNotFound);
        group.MapGet("/tickets/{ticketId:guid}", GetTicketRecord).RequireAuthorization(Policies.Fan).WithName("GetTicketOwnershipRecord")
            .WithSummary("Your ticket's ownership record: its registry history (hash-chained, signed) or its token's mint, your wallet and its transactions.")
            .Problems(MintingProblems.TicketNotFound);
        var admin = app.MapGroup("/api/minting/reconciliation").WithTags("Minting").RequireAuthorization(Policies.PlatformAdmin);
        admin.MapGet("/", GetReconciliation).WithName("GetMintingReconciliation")
            .WithSummary("The newest reconciliation runs with their findings, the backlog not mirrored yet, and the fee payer's balance.");
        admin.MapPost("/", RunReconciliation).WithName("RunMintingReconciliation")
            .WithSummary("Runs a reconciliation now: every ticket compared with the mirror, what can be put right queued again, the rest reported.");
        return app;
    }

    public sealed record RegistryKeyResponse(string Algorithm, string PublicKey, string PublicKeyBase64, string HashedLine, string Procedure);

    public sealed record RegistryEntryResponse(int Position, string Kind, Guid OwnerId, string Status, long Sequence, DateTimeOffset RecordedAt,
        string PreviousHash, string Hash, string Signature);

    public sealed record ChainOperationResponse(string Kind, string Signature, string Status, string? Error, DateTimeOffset CreatedAt);

    public sealed record ChainRecordResponse(string Mint, string? Wallet, string? TokenAccount, IReadOnlyList<ChainOperationResponse> Transactions);

    /// <summary><see cref="Mirrored"/>: the backend already says what the ticket is now (false while it catches up).</summary>
    public sealed record TicketRecordResponse(Guid TicketId, string Backend, string Status, bool Mirrored, string? LastError,
        IReadOnlyList<RegistryEntryResponse> Registry, ChainRecordResponse? Chain);

    public sealed record ReconciliationRunResponse(Guid Id, string Backend, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Checked, int InSync,
        int Repaired, int Unrepairable, IReadOnlyList<ReconciliationFinding> Findings);

    public sealed record ReconciliationResponse(int Backlog, int Failing, long? FeePayerLamports, IReadOnlyList<ReconciliationRunResponse> Runs);

    private static async Task<Ok<RegistryKeyResponse>> GetRegistryKey(OwnershipRegistry registry, CancellationToken cancellationToken)
    {
        var key = await registry.PublicKeyAsync(cancellationToken);
        return TypedResults.Ok(new RegistryKeyResponse("Ed25519", key.ToString(), Convert.ToBase64String(key.Bytes),
            $"{OwnershipRegistry.Domain}|ticketId|position|kind|ownerId|status|sequence|recordedAtUnixMilliseconds",
            "hash = SHA-256(previousHash || UTF-8 of the line), the first entry's previousHash 32 zero bytes; signature = Ed25519(key, hash)."));
    }

    private static async Task<Ok<JsonElement>> GetTokenMetadata(string mint, MintingDbContext db, IOptions<MintingOptions> options,
        CancellationToken cancellationToken)
    {
        if (!Solana.PublicKey.TryParse(mint, out var address))
        {
            throw MintingProblems.TokenNotFound();
        }

        var text = address.ToString();
        var ticketId = await db.ChainOperations.AsNoTracking().Where(o => o.Mint == text && o.Kind == "mint").Select(o => (Guid?)o.TicketId).FirstOrDefaultAsync(cancellationToken);
        var ticket = ticketId is null ? null : await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.TicketId == ticketId, cancellationToken);
        if (ticket is null)
        {
            throw MintingProblems.TokenNotFound();
        }

        return TypedResults.Ok(JsonSerializer.SerializeToElement(new
        {
            name = "TicketToken ticket",
            symbol = "TIX",
            description = ticket.Label ?? "A TicketToken ticket",
            external_url = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/events/{ticket.EventId:D}",
            attributes = new object[]
            {
                new { trait_type = "event", value = ticket.EventId.ToString("D") },
                new { trait_type = "seat", value = ticket.Label },
                new { trait_type = "ticket", value = ticket.TicketId.ToString("D") },
            },
        }));
    }

    private static async Task<Ok<TicketRecordResponse>> GetTicketRecord(Guid ticketId, Caller caller, MintingDbContext db,
        IServiceProvider services, IOptions<MintingOptions> options, CancellationToken cancellationToken)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.TicketId == ticketId, cancellationToken);
        // Someone else's ticket is answered exactly like one that does not exist.
        if (ticket is null || (ticket.OwnerId != caller.RequiredUserId && !caller.IsPlatformAdmin))
        {
            throw MintingProblems.TicketNotFound();
        }

        var entries = await db.RegistryEntries.AsNoTracking().Where(e => e.TicketId == ticketId).OrderBy(e => e.Position).ToListAsync(cancellationToken);
        ChainRecordResponse? chain = null;
        if (options.Value.Backend == MirrorBackends.Solana)
        {
            var mirror = services.GetRequiredService<SolanaMirror>();
            var mint = await mirror.MintOfAsync(ticketId, cancellationToken);
            var wallet = await db.Wallets.AsNoTracking().Where(w => w.OwnerId == ticket.OwnerId).Select(w => w.Address).SingleOrDefaultAsync(cancellationToken);
            var operations = await db.ChainOperations.AsNoTracking().Where(o => o.TicketId == ticketId).OrderBy(o => o.CreatedAt)
                .Select(o => new ChainOperationResponse(o.Kind, o.Signature, o.Status, o.Error, o.CreatedAt)).ToListAsync(cancellationToken);
            chain = new ChainRecordResponse(mint.PublicKey.ToString(), wallet,
                wallet is null ? null : Solana.Programs.AssociatedTokenAddress(Solana.PublicKey.Parse(wallet), mint.PublicKey).ToString(), operations);
        }

        return TypedResults.Ok(new TicketRecordResponse(ticket.TicketId, options.Value.Backend, ticket.Status, ticket.MirroredSequence >= ticket.Sequence,
            ticket.LastError,
            [.. entries.Select(e => new RegistryEntryResponse(e.Position, e.Kind, e.OwnerId, e.Status, e.Sequence, e.RecordedAt, Convert.ToHexStringLower(e.PreviousHash),
                Convert.ToHexStringLower(e.Hash), Convert.ToBase64String(e.Signature)))], chain));
    }

    private static async Task<Ok<ReconciliationResponse>> GetReconciliation(MintingDbContext db, MintingMetrics metrics, CancellationToken cancellationToken)
    {
        var runs = await db.ReconciliationRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(10).ToListAsync(cancellationToken);
        var backlog = await db.Tickets.CountAsync(t => t.MirroredSequence < t.Sequence, cancellationToken);
        var failing = await db.Tickets.CountAsync(t => t.MirroredSequence < t.Sequence && t.Attempts > 0, cancellationToken);
        return TypedResults.Ok(new ReconciliationResponse(backlog, failing, metrics.FeePayerLamports < 0 ? null : metrics.FeePayerLamports, [.. runs.Select(ToResponse)]));
    }

    private static async Task<Ok<ReconciliationRunResponse>> RunReconciliation(Reconciliation reconciliation, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToResponse(await reconciliation.RunAsync(cancellationToken)));

    private static ReconciliationRunResponse ToResponse(ReconciliationRun run) =>
        new(run.Id, run.Backend, run.StartedAt, run.FinishedAt, run.Checked, run.InSync, run.Repaired, run.Unrepairable,
            JsonSerializer.Deserialize<List<ReconciliationFinding>>(run.Findings, JsonSerializerOptions.Web) ?? []);
}
