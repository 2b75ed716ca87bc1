using System.ComponentModel.DataAnnotations;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Queue.Domain;

namespace TicketToken.Queue.Apis;

/// <summary>A fan's place in a queued on-sale: join, ask where one stands (from memory), or keep a stream open.</summary>
public static class QueueApi
{
    public static RouteGroupBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/queue/events/{eventId:guid}").WithTags("Queue").RequireAuthorization(Policies.Fan);
        group.MapPost("/entries", Join).WithName("JoinQueue")
            .WithSummary("Takes the caller's one place in the queue: a random place at the opening if before it, at the back after it. Repeating it returns the same place.")
            .Problems(QueueProblems.QueueNotFound);
        group.MapGet("/entries/me", GetPlace).WithName("GetQueuePlace")
            .WithSummary("The caller's position, fans ahead, estimated wait and admission rate; once admitted, the signed admission to send with holds.");
        group.MapGet("/entries/me/stream", StreamPlace).WithName("StreamQueuePlace")
            .WithSummary("The same as Server-Sent Events, pushed every few seconds until the caller is admitted, refused or the event sells out.");
        group.MapGet("/challenge", GetChallenge).WithName("GetQueueChallenge")
            .WithSummary("The caller's proof-of-work challenge, when the organizer asks for one: a nonce whose SHA-256 with it starts with the given zero bits.")
            .Problems(QueueProblems.QueueNotFound);
        return group;
    }

    public sealed record JoinRequest([property: StringLength(64)] string? ProofOfWorkNonce);

    /// <summary>Where a fan stands. <c>status</c>: before_opening, waiting, admitted, admission_expired, refused or sold_out.</summary>
    public sealed record QueuePlace(Guid EventId, string Status, long? Position, int? FansAhead, int? EstimatedWaitSeconds, double AdmissionRatePerMinute,
        DateTimeOffset OpensAt, string? Admission, DateTimeOffset? AdmissionExpiresAt, string? Waitlist);

    public sealed record Challenge(string Value, int Bits);

    private static async Task<Results<Created<QueuePlace>, Ok<QueuePlace>>> Join(Guid eventId, JoinRequest? request, Caller caller, QueueBoard board,
        FanSignals signals, HttpContext http, CancellationToken cancellationToken)
    {
        await board.WaitLoadedAsync(cancellationToken);
        var line = board.LineOf(eventId) ?? throw QueueProblems.QueueNotFound();
        var userId = caller.RequiredUserId;
        if (line.Entries.TryGetValue(userId, out var known))
        {
            return TypedResults.Ok(View(board, line, known));
        }

        var address = http.Connection.RemoteIpAddress?.ToString();
        var (score, reasons) = await signals.ScoreAsync(line, userId, address, request?.ProofOfWorkNonce, cancellationToken);
        var (entry, created) = await board.JoinAsync(line, userId, score, reasons, address, cancellationToken);
        var place = View(board, line, entry);
        return created ? TypedResults.Created($"/api/queue/events/{eventId}/entries/me", place) : TypedResults.Ok(place);
    }

    private static async Task<Ok<QueuePlace>> GetPlace(Guid eventId, Caller caller, QueueBoard board, CancellationToken cancellationToken)
    {
        await board.WaitLoadedAsync(cancellationToken);
        var (line, entry) = Find(board, eventId, caller);
        return TypedResults.Ok(View(board, line, entry));
    }

    private static async Task<ServerSentEventsResult<QueuePlace>> StreamPlace(Guid eventId, Caller caller, QueueBoard board, TimeProvider time,
        IOptions<QueueOptions> options, CancellationToken cancellationToken)
    {
        await board.WaitLoadedAsync(cancellationToken);
        var (line, entry) = Find(board, eventId, caller);
        return TypedResults.ServerSentEvents(Updates(board, line, entry, time, options.Value.StreamInterval, cancellationToken), "place");
    }

    private static async IAsyncEnumerable<QueuePlace> Updates(QueueBoard board, Line line, QueueEntry entry, TimeProvider time, TimeSpan every,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every, time);
        while (true)
        {
            var place = View(board, line, entry);
            yield return place;
            if (place.Status is not ("before_opening" or "waiting") || !await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }

    private static async Task<Ok<Challenge>> GetChallenge(Guid eventId, Caller caller, QueueBoard board, CancellationToken cancellationToken)
    {
        await board.WaitLoadedAsync(cancellationToken);
        var line = board.LineOf(eventId) ?? throw QueueProblems.QueueNotFound();
        return TypedResults.Ok(new Challenge(ProofOfWork.ChallengeFor(line.Settings.PublicKey, eventId, caller.RequiredUserId), line.Settings.ProofOfWorkBits));
    }

    private static (Line Line, QueueEntry Entry) Find(QueueBoard board, Guid eventId, Caller caller)
    {
        var line = board.LineOf(eventId) ?? throw QueueProblems.QueueNotFound();
        return line.Entries.TryGetValue(caller.RequiredUserId, out var entry) ? (line, entry) : throw QueueProblems.NotInQueue();
    }

    /// <summary>Answered from memory only: the entry, the line's counters and the positions the admitting loop last computed.</summary>
    internal static QueuePlace View(QueueBoard board, Line line, QueueEntry entry)
    {
        var settings = line.Settings;
        var rate = line.AdmissionRatePerMinute;
        var waitlist = $"/api/inventory/events/{settings.EventId}/waitlist";
        switch (entry.Status)
        {
            case EntryStatuses.Refused:
                return new(settings.EventId, "refused", null, null, null, rate, settings.OpensAt, null, null, null);
            case EntryStatuses.Admitted:
                return board.AdmissionOf(line, entry) is { } admission
                    ? new(settings.EventId, "admitted", 0, 0, 0, rate, settings.OpensAt, admission.Token, admission.ExpiresAt, null)
                    : new(settings.EventId, "admission_expired", null, null, null, rate, settings.OpensAt, null, null, line.SoldOut ? waitlist : null);
        }

        if (entry.Place is null)
        {
            return new(settings.EventId, "before_opening", null, null, null, rate, settings.OpensAt, null, null, null);
        }

        if (line.SoldOut)
        {
            return new(settings.EventId, "sold_out", null, null, null, rate, settings.OpensAt, null, null, waitlist);
        }

        // A fan who joined after the last refresh is behind everybody the refresh counted.
        var ahead = line.AheadOf(entry.UserId) ?? line.Waiting;
        int? eta = rate > 0 ? (int)Math.Ceiling(ahead / rate * 60) : null;
        return new(settings.EventId, "waiting", ahead + 1, ahead, eta, rate, settings.OpensAt, null, null, null);
    }
}
