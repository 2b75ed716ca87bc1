using System.Globalization;

namespace TicketToken.Bench;

/// <summary>A benchmark's command line: <c>--name value</c> pairs, and <c>--help</c> for its usage text.</summary>
public sealed class Arguments(string[] args)
{
    public bool WantsHelp => args.Contains("--help");

    public string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    public bool Flag(string name) => args.Contains(name);

    public string Text(string name, string fallback) => Text(name) ?? fallback;

    public int Number(string name, int fallback) => Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Fraction(string name, double fallback) => Text(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
