using System.Net;
using System.Net.Http.Json;
using TicketToken.Host.Tests.Notes;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>
/// The module plumbing end to end, through the test-only <see cref="NotesModule"/>: HTTP, the module's own schema
/// and migration, its outbox, the relay, pub/sub and an idempotent handler.
/// </summary>
public sealed class NotesModuleTests(HostWithNotesFixture host) : IClassFixture<HostWithNotesFixture>
{
    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task A_created_note_is_readable_at_its_location()
    {
        using var created = await _client.PostAsync(NotesApi.Route, Body.Json("""{"text":"hi"}"""));

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var note = await created.Content.ReadFromJsonAsync<Note>();
        note!.Text.Should().Be("hi");
        created.Headers.Location.Should().Be(new Uri($"{NotesApi.Route}/{note.Id}", UriKind.Relative));
        var read = await _client.GetFromJsonAsync<Note>(created.Headers.Location);
        read!.Id.Should().Be(note.Id);
        read.Text.Should().Be("hi");
        read.CreatedAt.Should().BeCloseTo(note.CreatedAt, TimeSpan.FromMilliseconds(1), "PostgreSQL keeps microseconds");
    }

    [Fact]
    public async Task A_created_note_event_comes_back_through_pub_sub_and_is_handled_once()
    {
        using var created = await _client.PostAsync(NotesApi.Route, Body.Json("""{"text":"hi"}"""));
        created.StatusCode.Should().Be(HttpStatusCode.Created);

        await Eventually.AssertAsync(async () =>
        {
            var note = await _client.GetFromJsonAsync<Note>(created.Headers.Location);
            note!.DeliveredAt.Should().NotBeNull("the outbox relays notes.note-created and the handler marks the note");
            note.Deliveries.Should().Be(1);
        }, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Many_notes_at_once_leave_the_outbox_in_batches_and_each_is_handled_once()
    {
        // More than one relay batch (100), committed close together: the relay hands each batch to pub/sub at once.
        var created = await Task.WhenAll(Enumerable.Range(0, 150).Select(async i =>
        {
            using var response = await _client.PostAsync(NotesApi.Route, Body.Json($$"""{"text":"note {{i}}"}"""));
            response.StatusCode.Should().Be(HttpStatusCode.Created);
            return response.Headers.Location!;
        }));

        await Eventually.AssertAsync(async () =>
        {
            foreach (var location in created)
            {
                var note = await _client.GetFromJsonAsync<Note>(location);
                note!.DeliveredAt.Should().NotBeNull();
                note.Deliveries.Should().Be(1, "each event is delivered once however it was batched");
            }
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_note_that_fails_validation_is_refused_before_anything_is_stored()
    {
        using var response = await _client.PostAsync(NotesApi.Route, Body.Json("""{"text":""}"""));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Problem.ReadAsync(response)).Code.Should().Be("validation_failed", "a test module's own assembly gets the validation generator too");
    }

    private sealed record Note(Guid Id, string Text, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Deliveries);
}
