using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.BuildingBlocks.Workflows.Admin;

/// <summary>
/// <c>TicketToken.Host workflows ...</c>: the workflow admin API from a shell, shaped like <c>dapr workflow</c>. It
/// talks to a running host (or the ingress) over HTTP, because the instances live in the runtime of the host that
/// runs the module: a second process cannot host them next to it (ADR 0005, 0013).
/// </summary>
public static class WorkflowCommand
{
    public const string Usage = """
        Usage: TicketToken.Host workflows <command> <app-id> [arguments] [--url URL] [--token TOKEN]

          list <app-id> [--name WORKFLOW] [--status Running|Completed|Failed|Terminated] [--limit N] [--cursor C]
          show <app-id> <instance-id>                  status, custom status, input, output and history (JSON)
          raise <app-id> <instance-id> <event> [--payload JSON]
          terminate <app-id> <instance-id> [--reason TEXT]
          purge <app-id> <instance-id>                 a finished instance only

        --url defaults to TICKETTOKEN_ADMIN_URL, else http://localhost:5000 (a host, or the ingress in Kubernetes).
        --token defaults to TICKETTOKEN_ADMIN_TOKEN: a platform admin's access token (POST /api/auth/login).
        Exit code: 0 done, 1 the API refused (its problem is printed), 2 wrong usage.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, HttpMessageHandler? handler = null,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var (positional, options) = Parse(args);
        if (positional.Count < 2 || positional[0] is not ("list" or "show" or "raise" or "terminate" or "purge")
            || positional[0] != "list" && positional.Count < 3 || positional[0] == "raise" && positional.Count < 4)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var url = options.GetValueOrDefault("url") ?? environment("TICKETTOKEN_ADMIN_URL") ?? "http://localhost:5000";
        var token = options.GetValueOrDefault("token") ?? environment("TICKETTOKEN_ADMIN_TOKEN");
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.BaseAddress = new Uri(url.TrimEnd('/') + "/");
        if (!string.IsNullOrWhiteSpace(token))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var app = Uri.EscapeDataString(positional[1]);
        var instance = positional.Count > 2 ? Uri.EscapeDataString(positional[2]) : "";
        using var request = positional[0] switch
        {
            "list" => new HttpRequestMessage(HttpMethod.Get, $"api/admin/workflows/{app}/{Query(options, "name", "status", "limit", "cursor")}"),
            "show" => new HttpRequestMessage(HttpMethod.Get, $"api/admin/workflows/{app}/{instance}"),
            "raise" => new HttpRequestMessage(HttpMethod.Post, $"api/admin/workflows/{app}/{instance}/events/{Uri.EscapeDataString(positional[3])}")
            {
                Content = JsonContent.Create(new JsonObject { ["payload"] = options.TryGetValue("payload", out var payload) ? JsonNode.Parse(payload) : null }),
            },
            "terminate" => new HttpRequestMessage(HttpMethod.Post, $"api/admin/workflows/{app}/{instance}/terminate")
            {
                Content = JsonContent.Create(new JsonObject { ["reason"] = options.GetValueOrDefault("reason") }),
            },
            _ => new HttpRequestMessage(HttpMethod.Delete, $"api/admin/workflows/{app}/{instance}"),
        };

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            await error.WriteLineAsync(Problem((int)response.StatusCode, body));
            return 1;
        }

        await output.WriteLineAsync(positional[0] switch
        {
            "list" => Table(body),
            "show" => JsonNode.Parse(body)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            "raise" => $"Raised '{positional[3]}' for {positional[2]}.",
            "terminate" => $"Terminated {positional[2]}.",
            _ => $"Purged {positional[2]}.",
        });
        return 0;
    }

    private static (List<string> Positional, Dictionary<string, string> Options) Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count)
            {
                options[args[i][2..]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return (positional, options);
    }

    private static string Query(Dictionary<string, string> options, params string[] names)
    {
        var pairs = names.Where(options.ContainsKey).Select(n => $"{n}={Uri.EscapeDataString(options[n])}").ToList();
        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    /// <summary>One line per instance, newest first, and the cursor of the next page when there is one.</summary>
    private static string Table(string body)
    {
        var page = JsonNode.Parse(body)!;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"INSTANCE ID",-36}  {"WORKFLOW",-16}  {"STATUS",-10}  {"CREATED",-20}  {"UPDATED",-20}  CUSTOM STATUS");
        foreach (var item in page["items"]!.AsArray())
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{(string?)item!["instanceId"],-36}  {(string?)item["name"],-16}  {Status(item["status"]),-10}  {Time(item["createdAt"]),-20}  {Time(item["updatedAt"]),-20}  {item["customStatus"]?.ToJsonString() ?? ""}");
        }

        if ((string?)page["nextCursor"] is { } next)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"More: --cursor {next}");
        }

        return text.ToString().TrimEnd();
    }

    private static string Status(JsonNode? status) => status?.GetValueKind() == JsonValueKind.Number ? ((WorkflowRuntimeStatus)(int)status).ToString() : (string?)status ?? "";

    private static string Time(JsonNode? time) =>
        DateTimeOffset.TryParse((string?)time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "";

    private static string Problem(int status, string body)
    {
        try
        {
            var problem = JsonNode.Parse(body);
            return $"{status} {(string?)problem?["code"]}: {(string?)problem?["title"]} {(string?)problem?["detail"]}".TrimEnd();
        }
        catch (JsonException)
        {
            return $"{status}: {body}";
        }
    }
}
