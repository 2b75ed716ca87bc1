using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace TicketToken.Host.Tests;

/// <summary>
/// The OpenAPI document as a client generator reads it: Redocly's linter (npm <c>@redocly/cli</c>, installed by
/// scripts/test into <c>openapi-lint/</c>) with its recommended rules finds no errors in the document of a host that runs
/// every module.
/// </summary>
public sealed class OpenApiLintTests(HostFixture host, ITestOutputHelper output) : IClassFixture<HostFixture>
{
    [RedoclyFact]
    public async Task The_openapi_document_of_every_module_passes_redocly_lint_without_errors()
    {
        var document = Path.Combine(Path.GetTempPath(), $"tickettoken-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, await host.Client.GetStringAsync("/openapi/v1.json"));
        try
        {
            var (exitCode, report) = await LintAsync(document);

            var problems = JsonDocument.Parse(report).RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => (Severity: p.GetProperty("severity").GetString(), Rule: p.GetProperty("ruleId").GetString(),
                    Where: p.GetProperty("location")[0].GetProperty("pointer").GetString(), Message: p.GetProperty("message").GetString()))
                .ToList();
            foreach (var warning in problems.Where(p => p.Severity != "error").GroupBy(p => p.Rule))
            {
                output.WriteLine($"warning {warning.Key}: {warning.Count()}× (e.g. {warning.First().Where})");
            }

            problems.Where(p => p.Severity == "error").Select(p => $"{p.Rule} at {p.Where}: {p.Message}").Should().BeEmpty();
            exitCode.Should().Be(0);
        }
        finally
        {
            File.Delete(document);
        }
    }

    private static async Task<(int ExitCode, string Report)> LintAsync(string document)
    {
        var start = new ProcessStartInfo(RedoclyFactAttribute.Executable!)
        {
            WorkingDirectory = RedoclyFactAttribute.ToolDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "lint", document, "--format=json", "--config", Path.Combine(RedoclyFactAttribute.ToolDirectory, "redocly.yaml") })
        {
            start.ArgumentList.Add(argument);
        }

        // Redocly asks its server for telemetry and update notices unless told not to; tests run offline.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var report = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        (await report).Should().NotBeEmpty($"redocly wrote nothing to stdout; stderr: {await errors}");
        return (process.ExitCode, await report);
    }
}

/// <summary>Skipped, with the reason in the output, where scripts/test has not installed @redocly/cli.</summary>
public sealed class RedoclyFactAttribute : FactAttribute
{
    public static readonly string ToolDirectory = Path.Combine(SourceDirectory(), "openapi-lint");
    public static readonly string? Executable = File.Exists(Path.Combine(ToolDirectory, "node_modules", ".bin", "redocly"))
        ? Path.Combine(ToolDirectory, "node_modules", ".bin", "redocly")
        : null;

    public RedoclyFactAttribute()
    {
        if (Executable is null)
        {
            Skip = $"SKIPPED: @redocly/cli is not installed in {ToolDirectory} (scripts/test runs npm install there; it needs Node.js and npm).";
        }
    }

    /// <summary>This project's source folder: the test binary lives in its bin/&lt;configuration&gt;/&lt;framework&gt;/.</summary>
    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
