using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace TicketToken.Host.Tests;

/// <summary>
/// Every operation of the document tells a client author how it can fail: at least one 4xx problem answer is listed
/// (ADR 0030). The fuzz test (<see cref="Fuzz.InputFuzzTests"/>) checks the other direction: what an operation answers
/// is listed.
/// </summary>
public sealed class OpenApiProblemAnswersTests(HostFixture host, ITestOutputHelper output) : IClassFixture<HostFixture>
{
    /// <summary>Anonymous, without parameters and outside the rate limit: the public keys are always there to read.</summary>
    private static readonly string[] CannotFail = ["GET /.well-known/jwks.json"];

    [Fact]
    public async Task Every_operation_lists_at_least_one_problem_answer()
    {
        var document = JsonNode.Parse(await host.Client.GetStringAsync("/openapi/v1.json"))!;
        var operations = DocumentedAnswers.Of(document);

        output.WriteLine($"{operations.Count} operations, {operations.Sum(o => o.Value.Count(s => s is >= 400 and < 500))} 4xx responses, "
            + $"{operations.Sum(o => o.Value.Count(s => s >= 500))} 5xx responses listed.");
        operations.Where(o => !o.Value.Any(s => s is >= 400 and < 500) && !CannotFail.Contains(o.Key)).Select(o => o.Key).Should().BeEmpty();
    }
}

/// <summary>The response statuses the document lists for each operation ("GET /api/x/{id}").</summary>
internal static class DocumentedAnswers
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public static IReadOnlyDictionary<string, IReadOnlySet<int>> Of(JsonNode document)
    {
        var operations = new Dictionary<string, IReadOnlySet<int>>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => Methods.Contains(o.Key)))
            {
                var statuses = (operation?["responses"]?.AsObject() ?? [])
                    .Select(r => int.TryParse(r.Key, out var status) ? status : 0).Where(s => s > 0).ToHashSet();
                operations[$"{method.ToUpperInvariant()} {path}"] = statuses;
            }
        }

        return operations;
    }
}
