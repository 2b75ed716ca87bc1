using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Queue.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Queue.Tests;

/// <summary>
/// The queue's instruments on the host's meter. A fixture of its own: the counters and the length cover every line of a
/// host, and another test's line would be admitted by the same ticks.
/// </summary>
public sealed class QueueMetricsTests(QueueFixture fixture) : IClassFixture<QueueFixture>
{
    [Fact]
    public async Task Joins_admissions_refusals_time_in_queue_and_the_queue_length_are_recorded_on_the_hosts_meter()
    {
        // A fresh account scores 35; without the challenge's answer it scores 65, the refusal score here.
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 1, proofOfWorkBits: 8, delayAtScore: 60, refuseAtScore: 65);
        var fans = new[] { await fixture.Personas.FanAsync(), await fixture.Personas.FanAsync() };
        var bot = await fixture.Personas.FanAsync();
        var ids = fans.Append(bot).Select(f => f.UserId).ToArray();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from queue.accounts where user_id = any($1)", ids) == 3,
            "the queue knows when each account was opened");
        await fixture.TickAsync();

        var factory = fixture.Host.Services.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentQueue<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other hosts in this test process have a TicketToken.Queue meter of their own; only this host's counts.
            if (instrument.Meter.Name == QueueMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.Enqueue((instrument.Name, value)));
        listener.Start();
        double Sum(string name) => measured.Where(m => m.Name == name).Sum(m => m.Value);
        double Length()
        {
            var before = measured.Count(m => m.Name == "tickettoken.queue.length");
            listener.RecordObservableInstruments();
            return measured.Where(m => m.Name == "tickettoken.queue.length").Skip(before).Single().Value;
        }

        var lengthBefore = Length();
        foreach (var fan in fans)
        {
            using var challenge = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/queue/events/{onSale.EventId}/challenge");
            var body = await challenge.ShouldBeAsync(HttpStatusCode.OK);
            await fixture.JoinAsync(fan, onSale.EventId, new { proofOfWorkNonce = ProofOfWork.Solve(body.Text("value"), body.GetProperty("bits").GetInt32()) });
        }

        (await fixture.JoinAsync(bot, onSale.EventId)).Text("status").Should().Be("refused");
        await fixture.TickAsync();
        var lengthWaiting = Length();
        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        var lengthAfterFirstWave = Length();
        await fixture.AdvanceAsync(TimeSpan.FromSeconds(10));

        Sum("tickettoken.queue.joins").Should().Be(3);
        Sum("tickettoken.queue.refused_as_bots").Should().Be(1);
        Sum("tickettoken.queue.admitted").Should().Be(2);
        measured.Where(m => m.Name == "tickettoken.queue.time_in_queue").Select(m => m.Value).Should().Equal([0, 10],
            "the first wave admits at the opening, the second ten seconds later");
        lengthWaiting.Should().Be(lengthBefore + 2, "both fans wait; the refused bot does not count");
        lengthAfterFirstWave.Should().Be(lengthBefore + 1);
        Length().Should().Be(lengthBefore, "both fans left the queue");
    }
}
