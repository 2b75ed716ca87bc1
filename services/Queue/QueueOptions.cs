namespace TicketToken.Queue;

/// <summary><c>TicketToken:Queue:*</c>.</summary>
public sealed class QueueOptions
{
    public const string Section = "TicketToken:Queue";

    public const string SecretKeySetting = "TicketToken:Queue:SecretKey";

    /// <summary>How often the admitting loop looks at every open queue (opens due ones, admits waves, refreshes positions).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Seed of the opening shuffle, for tests only: unset (the default and the only sane production value), each opening
    /// draws its order from the operating system's CSPRNG.
    /// </summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>How often the Server-Sent Events stream pushes a fan's place.</summary>
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The largest wave an on-sale without a fixed wave size admits (its size is then the seats still free).</summary>
    public int MaxDerivedWave { get; set; } = 2_000;
}
