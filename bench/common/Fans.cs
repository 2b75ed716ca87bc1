using System.Diagnostics;
using TicketToken.Testing.Identity;

namespace TicketToken.Bench;

/// <summary>The benchmarks' fans, each registered and signed in through identity for real.</summary>
public static class Fans
{
    /// <summary>
    /// An access token for each of <paramref name="count"/> new fans, 32 sign-ins at a time; PBKDF2 makes this the slow
    /// part of a benchmark's start (about a minute for 1,000), so progress is shown every 10 s.
    /// </summary>
    public static async Task<string[]> SignInAsync(HttpClient client, int count, string emailPrefix)
    {
        var personas = new Personas(client);
        var tokens = new string[count];
        var done = 0;
        var clock = Stopwatch.StartNew();
        using var progress = new Timer(_ => Console.WriteLine($"  signed in {Volatile.Read(ref done):N0} / {count:N0} fans ({clock.Elapsed.TotalSeconds:0} s)"), null, 10_000, 10_000);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            tokens[i] = (await personas.FanAsync(Personas.NewEmail($"{emailPrefix}{i}"))).AccessToken;
            Interlocked.Increment(ref done);
        });
        Console.WriteLine($"{count:N0} fans signed in through identity in {clock.Elapsed.TotalSeconds:0.0} s");
        return tokens;
    }
}
