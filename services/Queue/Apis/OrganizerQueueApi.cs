using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Queue;
using TicketToken.Queue.Data;
using TicketToken.Queue.Domain;

namespace TicketToken.Queue.Apis;

/// <summary>An organizer puts an on-sale behind the waiting room, steers it, and sees who waits and how risky they look.</summary>
public static class OrganizerQueueApi
{
    public static RouteGroupBuilder MapOrganizerQueueApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/queue/organizer/events/{eventId:guid}").WithTags("Queue").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapPut("/", Configure).WithName("ConfigureQueue")
            .WithSummary("Queues the event's on-sale (opening time, wave size and interval, admission validity, bot scores) or changes it; queued=false removes the queue.")
            .Problems(QueueProblems.AlreadyOpen, QueueProblems.EventNotFound, QueueProblems.InvalidScores);
        group.MapGet("/", GetQueue).WithName("GetQueue").WithSummary("The queue's settings and counts: waiting, admitted, refused, admission rate, sold out.")
            .Problems(QueueProblems.QueueNotFound);
        group.MapGet("/risk", GetRiskDistribution).WithName("GetQueueRiskDistribution")
            .WithSummary("How the entries' risk scores are distributed (buckets of ten, by status) and how often each signal fired.")
            .Problems(QueueProblems.QueueNotFound);
        return group;
    }

    public sealed record ConfigureQueueRequest(
        DateTimeOffset OpensAt,
        [property: Range(1, 100_000)] int? WaveSize,
        [property: Range(1, 3_600)] int WaveIntervalSeconds = 10,
        [property: Range(30, 3_600)] int AdmissionValiditySeconds = 600,
        [property: Range(0, 24)] int ProofOfWorkBits = 0,
        [property: Range(0, 101)] int DelayAtScore = 50,
        [property: Range(0, 101)] int RefuseAtScore = 90,
        bool Queued = true);

    public sealed record QueueView(Guid EventId, bool Queued, DateTimeOffset OpensAt, int? WaveSize, int WaveIntervalSeconds, int AdmissionValiditySeconds,
        int ProofOfWorkBits, int DelayAtScore, int RefuseAtScore, DateTimeOffset? OpenedAt, bool SoldOut, int Waiting, int Admitted, int Refused,
        double AdmissionRatePerMinute);

    public sealed record RiskBucket(int From, int To, int Waiting, int Admitted, int Refused);

    public sealed record RiskDistribution(Guid EventId, IReadOnlyList<RiskBucket> Buckets, IReadOnlyDictionary<string, long> Signals);

    private static async Task<Ok<QueueView>> Configure(Guid eventId, ConfigureQueueRequest request, Caller caller, QueueDbContext db, QueueBoard board,
        [FromKeyedServices(QueueModule.Id)] SecretProtector secrets, TimeProvider time, CancellationToken cancellationToken)
    {
        var queuedEvent = await db.Events.SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (queuedEvent is null || !caller.Administers(queuedEvent.OrganizerId))
        {
            throw QueueProblems.EventNotFound();
        }

        if (request.RefuseAtScore < request.DelayAtScore)
        {
            throw QueueProblems.InvalidScores();
        }

        var now = time.GetUtcNow();
        var onSale = await db.OnSales.SingleOrDefaultAsync(o => o.EventId == eventId, cancellationToken);
        if (onSale is null)
        {
            var (privateKey, publicKey) = AdmissionSigner.NewKeyPair();
            onSale = new QueuedOnSale { EventId = eventId, OrganizerId = queuedEvent.OrganizerId, SigningKey = secrets.Protect(privateKey), PublicKey = publicKey };
            db.OnSales.Add(onSale);
        }
        else if (onSale.OpenedAt is not null && onSale.OpensAt != request.OpensAt)
        {
            throw QueueProblems.AlreadyOpen();
        }

        (onSale.OpensAt, onSale.WaveSize, onSale.WaveIntervalSeconds, onSale.AdmissionValiditySeconds) =
            (request.OpensAt, request.WaveSize, request.WaveIntervalSeconds, request.AdmissionValiditySeconds);
        (onSale.ProofOfWorkBits, onSale.DelayAtScore, onSale.RefuseAtScore, onSale.Queued) =
            (request.ProofOfWorkBits, request.DelayAtScore, request.RefuseAtScore, request.Queued);
        (onSale.Version, onSale.UpdatedAt) = (onSale.Version + 1, now);
        db.Publish(OnSaleQueued.Topic, new OnSaleQueued(eventId, onSale.OrganizerId, onSale.Queued, Convert.ToBase64String(onSale.PublicKey), onSale.OpensAt, onSale.Version));
        await db.SaveChangesAsync(cancellationToken);
        await board.WaitLoadedAsync(cancellationToken);
        board.Apply(OnSaleSettings.From(onSale, secrets));
        return TypedResults.Ok(ViewOf(board, onSale));
    }

    private static async Task<Ok<QueueView>> GetQueue(Guid eventId, Caller caller, QueueDbContext db, QueueBoard board, CancellationToken cancellationToken)
    {
        var onSale = await db.OnSales.AsNoTracking().SingleOrDefaultAsync(o => o.EventId == eventId, cancellationToken);
        if (onSale is null || !caller.Administers(onSale.OrganizerId))
        {
            throw QueueProblems.QueueNotFound();
        }

        await board.WaitLoadedAsync(cancellationToken);
        return TypedResults.Ok(ViewOf(board, onSale));
    }

    private static async Task<Ok<RiskDistribution>> GetRiskDistribution(Guid eventId, Caller caller, QueueDbContext db, QueueBoard board, CancellationToken cancellationToken)
    {
        var organizerId = await db.OnSales.Where(o => o.EventId == eventId).Select(o => (Guid?)o.OrganizerId).SingleOrDefaultAsync(cancellationToken);
        if (organizerId is not { } organizer || !caller.Administers(organizer))
        {
            throw QueueProblems.QueueNotFound();
        }

        await board.WaitLoadedAsync(cancellationToken);
        var entries = board.LineOf(eventId)?.Entries.Values.ToList() ?? [];
        var buckets = Enumerable.Range(0, 10).Select(b =>
        {
            var inBucket = entries.Where(e => Math.Min(e.RiskScore / 10, 9) == b).ToList();
            return new RiskBucket(b * 10, b == 9 ? 100 : b * 10 + 9, inBucket.Count(e => e.Status == EntryStatuses.Waiting),
                inBucket.Count(e => e.Status == EntryStatuses.Admitted), inBucket.Count(e => e.Status == EntryStatuses.Refused));
        }).ToList();
        var signals = await db.Database.SqlQuery<SignalCount>($"""
            select s.signal as "Signal", count(*) as "Count" from queue.entries e, unnest(e.signals) as s(signal) where e.event_id = {eventId} group by s.signal
            """).ToDictionaryAsync(s => s.Signal, s => s.Count, cancellationToken);
        return TypedResults.Ok(new RiskDistribution(eventId, buckets, signals));
    }

    private sealed record SignalCount(string Signal, long Count);

    private static QueueView ViewOf(QueueBoard board, QueuedOnSale onSale)
    {
        var line = board.LineOf(onSale.EventId);
        var entries = line?.Entries.Values.ToList() ?? [];
        return new QueueView(onSale.EventId, onSale.Queued, onSale.OpensAt, onSale.WaveSize, onSale.WaveIntervalSeconds, onSale.AdmissionValiditySeconds,
            onSale.ProofOfWorkBits, onSale.DelayAtScore, onSale.RefuseAtScore, line?.OpenedAt ?? onSale.OpenedAt, line?.SoldOut ?? onSale.SoldOut,
            entries.Count(e => e.Status == EntryStatuses.Waiting), entries.Count(e => e.Status == EntryStatuses.Admitted),
            entries.Count(e => e.Status == EntryStatuses.Refused), line?.AdmissionRatePerMinute ?? 0);
    }
}
