using System.Net;
using System.Net.Http.Json;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>The sample module end to end: HTTP, the module's table, its outbox, the relay, pub/sub and an idempotent handler.</summary>
public sealed class SampleModuleTests(HostFixture host) : IClassFixture<HostFixture>
{
    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task A_created_note_is_readable_at_its_location()
    {
        using var created = await _client.PostAsync("/api/sample/notes", Body.Json("""{"text":"hi"}"""));

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var note = await created.Content.ReadFromJsonAsync<Note>();
        note!.Text.Should().Be("hi");
        created.Headers.Location.Should().Be(new Uri($"/api/sample/notes/{note.Id}", UriKind.Relative));
        var read = await _client.GetFromJsonAsync<Note>(created.Headers.Location);
        read!.Id.Should().Be(note.Id);
        read.Text.Should().Be("hi");
        read.CreatedAt.Should().BeCloseTo(note.CreatedAt, TimeSpan.FromMilliseconds(1), "PostgreSQL keeps microseconds");
    }

    [Fact]
    public async Task A_created_note_event_comes_back_through_pub_sub_and_is_handled_once()
    {
        using var created = await _client.PostAsync("/api/sample/notes", Body.Json("""{"text":"hi"}"""));
        created.StatusCode.Should().Be(HttpStatusCode.Created);

        await Eventually.AssertAsync(async () =>
        {
            var note = await _client.GetFromJsonAsync<Note>(created.Headers.Location);
            note!.DeliveredAt.Should().NotBeNull("the outbox relays sample.note-created and the handler marks the note");
            note.Deliveries.Should().Be(1);
        }, TimeSpan.FromSeconds(15));
    }

    private sealed record Note(Guid Id, string Text, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Deliveries);
}
