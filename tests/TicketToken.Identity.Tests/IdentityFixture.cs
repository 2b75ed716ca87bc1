using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using TicketToken.BuildingBlocks.Hosting;
using Microsoft.Extensions.Logging;
using TicketToken.Contracts.Identity;
using TicketToken.Testing;

namespace TicketToken.Identity.Tests;

/// <summary>
/// The identity module on a real host and a fresh database, plus a module that captures every identity event,
/// for one test class. Every request of a test comes from 127.0.0.1, so the per-address limits are raised here
/// (tests of those limits have hosts of their own): otherwise one test's failures would lock out the next.
/// </summary>
public class IdentityFixture : ModuleHostFixture
{
    public static readonly string[] Topics =
    [
        UserRegistered.Topic, RegistrationAttemptedForExistingAccount.Topic, PasswordResetRequested.Topic, PasswordChanged.Topic,
        StaffInvited.Topic, UserDeactivated.Topic, UserErased.Topic, DeviceChanged.Topic, SignInFailed.Topic,
    ];

    protected override IReadOnlyList<Module> Modules() => [new IdentityModule(), new Catalog.CatalogModule(), new EventCaptureModule(Topics)];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:MaxResetRequestsPerAddress"] = "100000",
    };
}

/// <summary>Small account limits and a two-second lockout, so a test can hit a limit and see it lift.</summary>
public sealed class LockoutFixture : IdentityFixture
{
    public const int MaxFailures = 3;
    public const int MaxResetRequests = 2;
    public static readonly TimeSpan Lockout = TimeSpan.FromSeconds(2);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:MaxFailuresPerAccount"] = MaxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TicketToken:Identity:MaxResetRequestsPerAccount"] = MaxResetRequests.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TicketToken:Identity:LockoutDuration"] = "00:00:02",
    };
}

/// <summary>A per-address limit small enough to reach with a few failures on different accounts.</summary>
public sealed class AddressLimitFixture : IdentityFixture
{
    public const int MaxFailuresPerAddress = 4;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TicketToken:Identity:MaxFailuresPerAddress"] = MaxFailuresPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TicketToken:Identity:MaxFailuresPerAccount"] = "100",
        ["TicketToken:Identity:LockoutDuration"] = "00:00:02",
    };
}

/// <summary>
/// Everything that expires does so within seconds: reset links and invitations after one second, access and
/// device tokens after three, with no clock skew allowed.
/// </summary>
public sealed class ShortLifetimesFixture : IdentityFixture
{
    public static readonly TimeSpan ResetLifetime = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(3);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:PasswordResetLifetime"] = "00:00:01",
        ["TicketToken:Identity:InvitationLifetime"] = "00:00:01",
        ["TicketToken:Identity:AccessTokenLifetime"] = "00:00:03",
        ["TicketToken:Identity:DeviceTokenLifetime"] = "00:00:03",
        ["TicketToken:Auth:ClockSkew"] = "00:00:00",
    };
}

/// <summary>A host whose every log entry, down to Trace and from every category, is also kept in memory.</summary>
public sealed class LogCaptureFixture : IdentityFixture
{
    public CapturedLogs Logs { get; } = new();

    protected override Action<WebApplicationBuilder> Configure => builder =>
    {
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(Logs);
    };
}

/// <summary>
/// Keeps every entry the host logs (the rendered message, each structured property and the exception), exactly
/// what the host's Serilog sink is handed, so a test can assert what never reaches the logs.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Entries => [.. _entries];

    public string Text => string.Join('\n', _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            logs._scopes.ForEachScope((scope, list) => list.Add(Describe(scope)), scopes);
            logs._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {Describe(state)} scopes: {string.Join("; ", scopes)} {exception}");
        }

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"))
            : state?.ToString() ?? "";
    }
}
