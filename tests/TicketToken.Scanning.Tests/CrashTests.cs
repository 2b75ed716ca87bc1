using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Scanning.Tests;

/// <summary>
/// The real host executable scanning a storm of codes is killed with SIGKILL mid-storm (no shutdown code runs). Every
/// scan it had answered "allowed" must be in the log afterwards, and no ticket may have been let in twice.
/// </summary>
public sealed class CrashTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    [Fact]
    public async Task A_host_killed_mid_storm_lost_no_admission_it_answered_and_admitted_no_ticket_twice()
    {
        var venue = await fixture.VenueAsync();
        var second = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId);
        var tickets = new List<FanTicket>();
        for (var i = 0; i < 40; i++)
        {
            tickets.Add(await fixture.TicketAsync(venue));
        }

        await fixture.StopAsync();
        var answered = new ConcurrentBag<(Guid TicketId, Guid ScanId)>();
        await using (var child = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), fixture.ChildEnvironment()))
        {
            // Each ticket twice, from two devices at once, over and over until the kill.
            using var stop = new CancellationTokenSource();
            var storm = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                for (var round = 0; !stop.IsCancellationRequested; round++)
                {
                    var ticket = tickets[(worker + round * 16) % tickets.Count];
                    var device = worker % 2 == 0 ? venue.Device : second;
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/scans")
                        {
                            Content = JsonContent.Create(new { eventId = venue.Event.EventId, code = ticket.Current(), gate = $"Gate {worker}" }),
                        };
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.AccessToken);
                        using var response = await child.Client.SendAsync(request, stop.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            var scan = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                            if (scan.Allowed())
                            {
                                answered.Add((ticket.TicketId, scan.GetProperty("scanId").GetGuid()));
                            }
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
                    {
                        // the host died under the request: no answer, no promise
                    }
                }
            })).ToList();
            await Eventually.TrueAsync(() => Task.FromResult(answered.Count >= 15), "the storm admitted some tickets");
            await child.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(storm);
        }

        await fixture.StartAsync();
        foreach (var (ticketId, scanId) in answered)
        {
            (await fixture.Database.ScalarAsync<bool?>("select allowed from scanning.scans where id = $1", scanId)).Should().BeTrue("scan {0} of {1} was answered allowed", scanId, ticketId);
        }

        answered.Select(a => a.TicketId).Should().OnlyHaveUniqueItems("two devices never both got an allowed answer for one ticket");
        foreach (var ticket in tickets)
        {
            (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1 and allowed", ticket.TicketId)).Should().BeLessThanOrEqualTo(1);
        }

        var admitted = tickets.First(t => answered.Any(a => a.TicketId == t.TicketId));
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, admitted.Current())).Reason().Should().Be("duplicate", "the restarted host knows it is in");
    }
}
