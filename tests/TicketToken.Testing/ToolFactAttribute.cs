using Xunit;

namespace TicketToken.Testing;

/// <summary>A test that needs a tool this machine may not have; skipped with the reason in the output when it is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package)
    {
        if (Find(tool) is null)
        {
            Skip = $"SKIPPED: '{tool}' is not on PATH here (Debian package {package}: scripts/ensure-packages {package}); with it this test checks the real output with {tool}.";
        }
    }

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
