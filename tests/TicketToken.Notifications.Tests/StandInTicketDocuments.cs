using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// STAND-IN, for this test project only: hosts the tickets module's <see cref="ITicketDocumentsActor"/> (actor type
/// <see cref="TicketsActors.Documents"/>) until the real one (PDF, Apple and Google Wallet, built on another branch at the same time)
/// is merged; the lead replaces this module with the real tickets module's actor at that merge. It answers the contract's shape with
/// a small PDF naming the tickets and fake wallet links, remembers what it answered so a test can compare the attachment byte for
/// byte, and can be told to fail, as the real one might while its module is down.
/// </summary>
public sealed class StandInTicketDocumentsModule : Module
{
    public override string AppId => "tickets-documents-stand-in";

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddSingleton<StandInDocuments>();
        module.AddActor<StandInTicketDocumentsActor>(TicketsActors.Documents);
    }
}

/// <summary>What the stand-in made, and whether it fails.</summary>
public sealed class StandInDocuments
{
    private volatile bool _failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public ConcurrentDictionary<Guid, TicketDocuments> MadeFor { get; } = new();
}

public sealed class StandInTicketDocumentsActor(ActorHost host, StandInDocuments documents) : Actor(host), ITicketDocumentsActor
{
    public Task<TicketDocuments?> GetAsync(TicketDocumentsRequest request)
    {
        if (documents.Failing)
        {
            throw new InvalidOperationException("The stand-in documents are failing on purpose.");
        }

        var owner = Guid.ParseExact(Id.Id, "N");
        if (request.TicketIds.Count == 0)
        {
            return Task.FromResult<TicketDocuments?>(null);
        }

        var pdf = Encoding.ASCII.GetBytes($"%PDF-1.4\n% stand-in tickets of {owner}: {string.Join(", ", request.TicketIds)}\n%%EOF\n");
        var made = new TicketDocuments(owner, $"tickets-{owner.ToString("N")[..8]}.pdf", pdf,
            [.. request.TicketIds.Select(id => new TicketWalletLinks(id, $"Stand-in ticket {id.ToString("N")[^6..]}", $"https://wallet.test/apple/{id:N}", $"https://wallet.test/google/{id:N}"))]);
        foreach (var id in request.TicketIds)
        {
            documents.MadeFor[id] = made;
        }

        return Task.FromResult<TicketDocuments?>(made);
    }
}
