using Microsoft.Extensions.Configuration;

namespace TicketToken.BuildingBlocks.Platform;

public enum RuntimeKind
{
    /// <summary>All building blocks in-process, durable on PostgreSQL.</summary>
    Embedded,

    /// <summary>Building blocks through a Dapr sidecar's HTTP API.</summary>
    Dapr,
}

/// <summary>The host's top-level settings, section <c>TicketToken</c> (environment: <c>TICKETTOKEN__...</c>).</summary>
public sealed class TicketTokenOptions
{
    public const string Section = "TicketToken";

    /// <summary><c>all</c> or a comma-separated list of app-ids.</summary>
    public string Services { get; set; } = "all";

    public RuntimeKind Runtime { get; set; } = RuntimeKind.Embedded;

    /// <summary>The PostgreSQL connection string. When empty outside Production, a local server is started under <see cref="DataDirectory"/>.</summary>
    public string? Postgres { get; set; }

    /// <summary>Where local data lives (the development PostgreSQL cluster): the repository's ignored <c>.data/</c>.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>The port of the development PostgreSQL server.</summary>
    public int LocalPostgresPort { get; set; } = 55432;

    public static TicketTokenOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var runtime = section[nameof(Runtime)];
        if (runtime is { Length: > 0 } && !Enum.GetNames<RuntimeKind>().Contains(runtime, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"TICKETTOKEN__RUNTIME is '{runtime}'; use 'embedded' or 'dapr'.");
        }

        var options = new TicketTokenOptions();
        section.Bind(options);
        return options;
    }

    /// <summary>The connection string of a module: <c>TicketToken:Modules:{appId}:Postgres</c>, else the shared one.</summary>
    public static string ConnectionStringFor(IConfiguration configuration, string appId) =>
        configuration[$"{Section}:Modules:{appId}:Postgres"] is { Length: > 0 } own
            ? own
            : configuration[$"{Section}:Postgres"] is { Length: > 0 } shared
                ? shared
                : throw new InvalidOperationException("No PostgreSQL connection string: set TICKETTOKEN__POSTGRES.");
}
