using System.Globalization;

namespace TicketToken.Bench.Onsale;

/// <summary>Command-line options: <c>--name value</c>; see <see cref="Usage"/>.</summary>
public sealed record Options(int Seconds, int Fans, int Seats, int Sections, bool Durable, int Pool, double Zipf, double SpecificShare, int ThinkMs, int Seed,
    string Only, int Runs, int AutoPrepare, int ArrivalMs, int WarmUpSeconds)
{
    public const string Usage = """
        dotnet run -c Release --project bench/onsale [-- options]
          --fans 1000          virtual fans (each signs in through identity first, then loops until sold out)
          --seats 20000        seats in the venue
          --sections 40        sections (rows of 25 seats); section 1 is the best
          --zipf 1.0           how strongly fans prefer the best sections (weight of the k-th best: 1/k^zipf)
          --specific 0.2       share of attempts that name specific seats (the rest: best available)
          --think-ms 0         pause after each attempt (0: closed loop, fans click again at once)
          --arrival-ms 0       fans' first clicks spread evenly over this long (0: every fan clicks in the same instant)
          --seconds 120        longest an on-sale may run before it is stopped unsold
          --runs 1             measured on-sales per system
          --warmup 20          seconds of unmeasured on-sales per system first (at least one), until the JIT has tiered the hot code
          --only both          actors | baseline | both | in-process (inventory's actors without HTTP) | all
          --durable true       PostgreSQL with fsync on (false: fsync off, to see what is I/O-bound)
          --pool 0             connection pool size (0: the host's default, 8 per core)
          --auto-prepare 0     Npgsql's Max Auto Prepare for every statement of host and baseline (0: off; the host's default is 64)
          --seed 1             workload seed
        """;

    public static Options Parse(string[] args)
    {
        var given = new Arguments(args);
        string? Get(string name) => given.Text(name);
        int Int(string name, int fallback) => given.Number(name, fallback);
        double Real(string name, double fallback) => given.Fraction(name, fallback);
        return new Options(
            Seconds: Int("--seconds", 120),
            Fans: Int("--fans", 1000),
            Seats: Int("--seats", 20_000),
            Sections: Int("--sections", 40),
            Durable: Get("--durable") is not { } durable || bool.Parse(durable),
            Pool: Int("--pool", 0),
            Zipf: Real("--zipf", 1.0),
            SpecificShare: Real("--specific", 0.2),
            ThinkMs: Int("--think-ms", 0),
            Seed: Int("--seed", 1),
            Only: Get("--only") ?? "both",
            Runs: Int("--runs", 1),
            AutoPrepare: Int("--auto-prepare", 0),
            ArrivalMs: Int("--arrival-ms", 0),
            WarmUpSeconds: Int("--warmup", 20));
    }
}
