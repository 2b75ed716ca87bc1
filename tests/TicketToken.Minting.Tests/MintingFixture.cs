using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Identity;
using TicketToken.Scanning;
using TicketToken.Minting.Solana;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Minting.Tests;

/// <summary>
/// Identity, tickets and minting on a real host and a fresh database. Tickets are issued, activated, given, resold and refunded
/// through the tickets module itself (its actors and HTTP API), so minting sees exactly the events tickets publishes. With
/// <see cref="Backend"/> <c>solana</c> the module talks to a real Solana runtime (<see cref="SolanaNode"/>).
/// </summary>
public abstract class MintingFixture : ModuleHostFixture
{
    public SolanaNode Node { get; } = new();

    protected abstract string Backend { get; }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Minting:Backend"] = Backend,
        ["TicketToken:Minting:PublicBaseUrl"] = "https://tickets.example.test",
        ["TicketToken:Minting:PollInterval"] = "00:00:00.200",
        ["TicketToken:Minting:RetryInitialBackoff"] = "00:00:00.200",
        ["TicketToken:Minting:RetryMaxBackoff"] = "00:00:01",
        ["TicketToken:Minting:Solana:RpcUrl"] = Node.RpcUrl,
        ["TicketToken:Minting:Solana:AirdropWhenLow"] = "true",
        ["TicketToken:Minting:Solana:ConfirmWait"] = "00:00:02",
    };

    protected override IReadOnlyList<Module> Modules() => [new IdentityModule(), new TicketsModule(), new MintingModule()];

    protected override string PublisherAppId => MintingModule.Id;

    public override async Task InitializeAsync()
    {
        if (Backend == MirrorBackends.Solana && SolanaNode.Unavailable is null)
        {
            await Node.StartAsync();
        }

        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Node.DisposeAsync();
    }

    private ITicketIssuerActor Issuer(Guid orderId) =>
        Actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);

    /// <summary>Announces an event as catalog would, and waits until tickets recorded it.</summary>
    public async Task<EventPublished> EventAsync(string name = "Harbour Sessions", Guid? organizerId = null, Guid? venueId = null, DateTimeOffset? startsAt = null)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((startsAt ?? DateTimeOffset.UtcNow.AddDays(30)).ToUnixTimeSeconds());
        var published = new EventPublished(Guid.NewGuid(), organizerId ?? Guid.NewGuid(), venueId ?? Guid.NewGuid(), name, start, start.AddHours(3), "Europe/Berlin", "EUR",
            start.AddDays(-30), start, new PurchaseLimits(8, 8), [], [], new ResalePolicy(true, null, 0), 1) { VenueName = "Harbour Hall", VenueCity = "Hamburg" };
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long?>("select version from tickets.events where id = $1", published.EventId) >= 1,
            "tickets recorded the event");
        return published;
    }

    /// <summary>A confirmed purchase of <paramref name="seats"/> seats, as orders drives the tickets module: issue, then activate.</summary>
    public async Task<(Guid OrderId, IReadOnlyList<Guid> TicketIds)> PurchaseAsync(EventPublished e, Guid buyer, int seats = 1)
    {
        var orderId = Guid.NewGuid();
        var section = $"S{orderId.ToString("N")[..6]}";
        var lines = Enumerable.Range(1, seats)
            .Select(n => new TicketLine(n, Guid.NewGuid(), "Standard", $"{section}-C-{n}", section, "C", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "STANDARD", 4_900, "EUR"))
            .ToList();
        var order = new IssueTickets(orderId, $"TT-{orderId.ToString("N")[..8].ToUpperInvariant()}", e.EventId, e.OrganizerId, buyer, lines);
        await Issuer(orderId).IssueAsync(order);
        var activated = await Issuer(orderId).ActivateAsync(new ActivateTickets(orderId));
        activated.Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Active);
        return (orderId, [.. activated.Tickets.Select(t => t.TicketId)]);
    }

    public Task RefundAsync(Guid orderId) => Issuer(orderId).RevokeAsync(new RevokeTickets(orderId, null, RevokeTickets.Refunded));

    /// <summary>A gift through the tickets API: the sender starts it, the recipient accepts with the code.</summary>
    public async Task GiftAsync(Guid ticketId, Person from, Person to)
    {
        using var started = await Client.SendAsync(from, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = to.Email });
        started.EnsureSuccessStatusCode();
        var transfer = await started.Content.ReadFromJsonAsync<JsonElement>();
        using var accepted = await Client.SendAsync(to, HttpMethod.Post, $"/api/transfers/{transfer.GetProperty("id").GetGuid()}/accept",
            new { acceptanceCode = transfer.GetProperty("acceptanceCode").GetString() });
        accepted.EnsureSuccessStatusCode();
    }

    /// <summary>A resale's handover as the marketplace makes it: the listing lock, then the reissue to the buyer.</summary>
    public async Task ResellAsync(Guid ticketId, Guid sellerId, Guid buyerId)
    {
        var locks = Actors.CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticketId), TicketLocks.TypeName);
        var lockId = Guid.NewGuid();
        (await locks.LockAsync(new LockTicket(ticketId, sellerId, TicketLockReasons.Listing, lockId))).Failure.Should().BeNull();
        (await locks.ReissueAsync(new ReissueTicket(ticketId, lockId, sellerId, buyerId, Guid.NewGuid()))).Failure.Should().BeNull();
    }

    /// <summary>Who the tickets module's database says owns the ticket (the source of truth).</summary>
    public async Task<Guid> DatabaseOwnerAsync(Guid ticketId) => (await Database.ScalarAsync<Guid?>("select owner_id from tickets.tickets where id = $1", ticketId))!.Value;

    public async Task<JsonElement> RecordAsync(Guid ticketId, Person asWho)
    {
        using var response = await Client.SendAsync(asWho, HttpMethod.Get, $"/api/minting/tickets/{ticketId}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until minting received the ticket's newest change (tickets' version) and the mirror caught up with it.</summary>
    public Task MirroredAsync(Guid ticketId) =>
        Eventually.TrueAsync(async () => await Database.ScalarAsync<bool?>(
            "select m.mirrored_sequence >= m.sequence and m.sequence = t.version from minting.tickets m join tickets.tickets t on t.id = m.ticket_id where m.ticket_id = $1",
            ticketId) == true, "minting caught up with the ticket's newest change", TimeSpan.FromMinutes(2));

    /// <summary>The custodial wallet of <paramref name="ownerId"/>, or null if minting made none.</summary>
    public async Task<PublicKey?> WalletOfAsync(Guid ownerId) =>
        await Database.ScalarAsync<string?>("select address from minting.wallets where owner_id = $1", ownerId) is { } address ? PublicKey.Parse(address) : null;

    /// <summary>The ticket's mint, from the module's record of the chain.</summary>
    public async Task<PublicKey?> MintOfAsync(Guid ticketId) =>
        await Database.ScalarAsync<string?>("select mint from minting.chain_operations where ticket_id = $1 and kind = 'mint' and status = 'landed'", ticketId) is { } mint
            ? PublicKey.Parse(mint)
            : null;

    /// <summary>What the chain says each wallet holds of the mint (token accounts with a balance).</summary>
    public async Task<ulong> ChainBalanceAsync(PublicKey? wallet, PublicKey mint) =>
        wallet is null ? 0 : (ulong)(await Node.Rpc().GetTokenAccountsByOwnerAsync(wallet.Value, mint, default)).Sum(a => (long)a.Amount);

    /// <summary>Waits until the chain says the ticket's token is in the database owner's wallet, and only there.</summary>
    public async Task ChainOwnerIsDatabaseOwnerAsync(Guid ticketId, params Guid[] others)
    {
        await Eventually.TrueAsync(async () =>
        {
            var mint = await MintOfAsync(ticketId);
            return mint is { } m && await ChainBalanceAsync(await WalletOfAsync(await DatabaseOwnerAsync(ticketId)), m) == 1;
        }, "the chain shows the database owner holding the ticket's token", TimeSpan.FromMinutes(2));
        var mint = (await MintOfAsync(ticketId))!.Value;
        foreach (var other in others)
        {
            (await ChainBalanceAsync(await WalletOfAsync(other), mint)).Should().Be(0, "only the owner holds it");
        }

        var holders = await Node.Rpc().GetTokenLargestAccountsAsync(mint, default);
        holders.Where(h => h.Amount > 0).Should().ContainSingle("supply 1: one holder");
    }
}

public sealed class RegistryFixture : MintingFixture
{
    protected override string Backend => MirrorBackends.Registry;
}

/// <summary>The Solana backend, with catalog (venues for scanner devices) and scanning, so tickets can be admitted at a gate.</summary>
public class ChainFixture : MintingFixture
{
    protected override string Backend => MirrorBackends.Solana;

    protected override IReadOnlyList<Module> Modules() => [.. base.Modules(), new CatalogModule(), new ScanningModule()];
}
