using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace TicketToken.Host.Tests.Fuzz;

/// <summary>
/// DESIGN.md invariant 7, checked from the outside: every operation of the host's OpenAPI document that takes a body is
/// sent bad bodies (<see cref="BadBodies"/>) by the caller its policy admits (all of them) and by every other kind of caller
/// (the whole-body ones). Each answer must be below 500 and, when it refuses, a problem document with a <c>code</c> whose
/// status the operation lists in the document (ADR 0030); and a refused request must leave every table as it was.
/// </summary>
public sealed class InputFuzzTests(FuzzFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzFixture>
{
    [Fact]
    public async Task Bad_bodies_get_a_problem_with_a_code_never_a_5xx_and_a_refused_request_changes_nothing()
    {
        var operations = await OperationsWithBodiesAsync();
        operations.Should().Contain(o => o.Key == "POST /api/inventory/events/{eventId}/holds", "the document lists the operations with bodies");
        var fingerprint = new DatabaseFingerprint(fixture.Database.ConnectionString);
        var failures = new List<string>();
        var sent = 0;
        var provenByTransactionIds = 0;
        var accepted = new List<string>();
        IReadOnlyDictionary<string, string>? unchanged = null; // the fingerprint after the last refused request, which changed nothing

        // Operations that end something for good go last, so that one that wrongly accepts cannot spoil the others' world.
        foreach (var operation in operations.OrderBy(o => o.EndsSomething))
        {
            foreach (var caller in FuzzFixture.Callers)
            {
                var bodies = caller != operation.Caller ? BadBodies.WholeBody(operation.Example)
                    : operation.CsvExample is { } csv ? BadBodies.For(operation.Example).Concat(BadBodies.ForCsv(csv)) : BadBodies.For(operation.Example);
                foreach (var body in bodies)
                {
                    if (await fingerprint.PendingWorkAsync() > 0)
                    {
                        await QuiesceAsync(fingerprint);
                        unchanged = null; // something ran in the background since: hash again
                    }

                    // A refused request leaves the database as it found it, so its fingerprint is the next one's "before":
                    // hashing every table once per request instead of twice halves the cost of the test.
                    var before = unchanged ?? await fingerprint.TakeAsync();
                    unchanged = null;
                    var transactionBefore = await fingerprint.ClaimTransactionIdAsync();
                    using var response = await SendAsync(operation, caller, body);
                    sent++;
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync();
                    var where = $"{operation.Key} as {caller} with {body.Name}";
                    if (status >= 500)
                    {
                        failures.Add($"{where}: {status} {Excerpt(text)}");
                        continue;
                    }

                    if (status < 400)
                    {
                        accepted.Add($"{where}: {status}");
                        continue;
                    }

                    var code = CodeOf(response, text);
                    if (code is null)
                    {
                        failures.Add($"{where}: {status} without a problem document carrying a code: {Excerpt(text)}");
                    }

                    if (!operation.Listed.Contains(status))
                    {
                        failures.Add($"{where}: answered {status} ({code}), a status its OpenAPI operation does not list");
                    }

                    if (await fingerprint.ClaimTransactionIdAsync() == transactionBefore + 1)
                    {
                        unchanged = before; // no transaction id was handed out in between, so nothing was written
                        provenByTransactionIds++;
                        continue;
                    }

                    var after = await fingerprint.TakeAsync();
                    if (DatabaseFingerprint.Changed(before, after) is { Count: > 0 } changed)
                    {
                        failures.Add($"{where}: refused with {status} but changed {string.Join(", ", changed)}");
                    }
                    else
                    {
                        unchanged = after;
                    }
                }
            }
        }

        output.WriteLine($"{operations.Count} operations with a body, {sent} bad requests sent, {accepted.Count} accepted as valid, {failures.Count} failures; "
            + $"{provenByTransactionIds} refusals shown to change nothing by transaction ids alone, the others by comparing every table.");
        output.WriteLine("Accepted as valid (a bad body that is still a valid request, such as one with an unknown property):");
        foreach (var ok in accepted)
        {
            output.WriteLine("  " + ok);
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public void The_generator_makes_the_bodies_the_findings_were_made_with()
    {
        var bodies = BadBodies.For(JsonNode.Parse("""{"seats":["A-1"],"name":"x","quantity":2,"flag":true,"nested":{"code":"c"}}""")!).ToList();
        string Text(string name) => Encoding.UTF8.GetString(bodies.Single(b => b.Name == name).Bytes);

        Text("$.seats: a null element").Should().Be("""{"seats":[null],"name":"x","quantity":2,"flag":true,"nested":{"code":"c"}}""");
        Text("$.name: a NUL character").Should().Contain("\"name\":\"a\\u0000b\"");
        Text("$.nested.code: a lone high surrogate").Should().Contain("\"code\":\"x\\ud800y\"");
        Text("$.quantity: a number beyond long").Should().Contain("\"quantity\":9223372036854775808");
        bodies.Single(b => b.Name == "invalid UTF-8 bytes in a string").Bytes.Should().ContainInOrder((byte)0xC3, (byte)0x28, (byte)0xFF);
        bodies.Should().Contain(b => b.Name == "no content type" && b.ContentType == null);
    }

    [Fact]
    public async Task Consecutive_transaction_ids_mean_nothing_was_written_and_a_write_in_between_breaks_them()
    {
        var fingerprint = new DatabaseFingerprint(fixture.Database.ConnectionString);
        await fixture.Database.ExecuteAsync("create table if not exists public.fuzz_probe (id int)");
        // The host's background work may take an id in between; a quiet moment comes within a few tries.
        var quiet = false;
        for (var attempt = 0; attempt < 1_000 && !quiet; attempt++)
        {
            var first = await fingerprint.ClaimTransactionIdAsync();
            quiet = await fingerprint.ClaimTransactionIdAsync() == first + 1;
        }

        quiet.Should().BeTrue("two claims with nothing written in between get consecutive ids");

        var before = await fingerprint.ClaimTransactionIdAsync();
        await fixture.Database.ExecuteAsync("insert into public.fuzz_probe values (1)");
        (await fingerprint.ClaimTransactionIdAsync()).Should().BeGreaterThan(before + 1, "the insert needed a transaction id of its own");
        await fixture.Database.ExecuteAsync("drop table public.fuzz_probe");
    }

    /// <summary>Waits until events that an accepted request published have been relayed and handled, so that they do not count against the next request.</summary>
    private static Task QuiesceAsync(DatabaseFingerprint fingerprint) =>
        Eventually.TrueAsync(async () => await fingerprint.PendingWorkAsync() == 0, "the events of earlier requests were delivered");

    private async Task<HttpResponseMessage> SendAsync(Operation operation, FuzzCaller caller, BadBody body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), fixture.Fill(operation.Path) + operation.Query)
        {
            Content = new ByteArrayContent(body.Bytes),
        };
        request.Content.Headers.ContentType = body.ContentType is null ? null : MediaTypeHeaderValue.Parse(body.ContentType);
        request.Headers.Add("Idempotency-Key", $"fuzz-{Guid.NewGuid():N}");
        // As well-behaved clients do with large bodies: the server can refuse a body over its limit before it is sent
        // (without this, the client is still writing when the server answers 413 and closes the connection).
        request.Headers.ExpectContinue = true;
        if (fixture.TokenOf(caller) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await fixture.Client.SendAsync(request);
    }

    private static string? CodeOf(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "...";

    /// <summary>An operation of the document with a JSON body: its example (or one made from its schema) and the caller its policy admits.</summary>
    private sealed record Operation(string Method, string Path, JsonNode Example, FuzzCaller Caller, string? CsvExample, string Query, IReadOnlySet<int> Listed)
    {
        public string Key => $"{Method} {Path}";

        public bool EndsSomething => Path.EndsWith("/cancel", StringComparison.Ordinal) || Path.Contains("/erase", StringComparison.Ordinal)
            || Path.Contains("/deactivate", StringComparison.Ordinal);
    }

    private async Task<List<Operation>> OperationsWithBodiesAsync()
    {
        var document = JsonNode.Parse(await fixture.Client.GetStringAsync("/openapi/v1.json"))!;
        var listed = DocumentedAnswers.Of(document);
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation?["requestBody"]?["content"]?["application/json"] is not { } content)
                {
                    continue;
                }

                var example = content["examples"]?.AsObject().FirstOrDefault().Value?["value"]?.DeepClone()
                    ?? OpenApiExamples.FromSchema(document, content["schema"]);
                var csv = operation["requestBody"]?["content"]?["text/csv"]?["examples"]?.AsObject().FirstOrDefault().Value?["value"]?.GetValue<string>();
                // Required query parameters get a plain value, so that the body is what the request is refused for.
                var required = (operation["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true)
                    .Select(p => $"{p!["name"]!.GetValue<string>()}=fuzz").ToList();
                operations.Add(new Operation(method.ToUpperInvariant(), path, fixture.Ground(example), CallerFor(operation), csv,
                    required.Count == 0 ? "" : "?" + string.Join('&', required), listed[$"{method.ToUpperInvariant()} {path}"]));
            }
        }

        return operations;
    }

    /// <summary>The operation's description says "Requires policy X." (the document's security transformer writes it); no security means anonymous.</summary>
    private static FuzzCaller CallerFor(JsonNode operation)
    {
        if (operation["security"] is null)
        {
            return FuzzCaller.Anonymous;
        }

        var description = operation["description"]?.GetValue<string>() ?? "";
        return FuzzFixture.Callers.FirstOrDefault(c => c != FuzzCaller.Anonymous && description.Contains($"Requires policy {FuzzFixture.PolicyOf(c)}.", StringComparison.Ordinal),
            FuzzCaller.Fan);
    }
}
