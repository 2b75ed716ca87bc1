using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace TicketToken.Testing;

/// <summary>
/// A host in its own process, for crash tests: start it, talk to it over HTTP, and kill it with SIGKILL
/// (no shutdown code runs), then start it again on the same database.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ChildHost(Process process, StringBuilder output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the child printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Configuration settings as a child host's environment (<c>A:B</c> becomes <c>A__B</c>), from every source in order;
    /// a null value is left out.
    /// </summary>
    public static Dictionary<string, string> EnvironmentOf(params IEnumerable<KeyValuePair<string, string?>>[] sources) =>
        sources.SelectMany(source => source).Where(s => s.Value is not null)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>Starts <c>dotnet <paramref name="assemblyPath"/></c> and waits until its <c>/readyz</c> answers 200.</summary>
    public static async Task<ChildHost> StartAsync(string assemblyPath, IReadOnlyDictionary<string, string> environment, TimeSpan? readyTimeout = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        info.ArgumentList.Add(assemblyPath);
        info.ArgumentList.Add("--urls"); // the command line outranks every configuration file
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["TicketToken__Logging__Format"] = "text";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var child = new ChildHost(process, output, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = Stopwatch.StartNew();
        var limit = readyTimeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The child host exited with code {process.ExitCode} before it was ready:\n{child.Output}");
            }

            try
            {
                using var ready = await child.Client.GetAsync("readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (Eventually.Expired(deadline.Elapsed, limit)) // a start takes longer on a busy machine
            {
                await child.KillAsync();
                throw new TimeoutException($"The child host was not ready within {limit.TotalSeconds} s:\n{child.Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: the process stops mid-instruction, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as Kubernetes sends before a pod goes: the host shuts down gracefully. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
