using System.Security.Cryptography;

namespace TicketToken.Queue.Domain;

/// <summary>
/// The order of the fans who were waiting when the queue opened: a Fisher-Yates shuffle, so every order is equally
/// likely and arriving early buys nothing. Its randomness comes from the CSPRNG unless a seed is given (tests), because
/// a fan who could predict <see cref="Random"/>'s sequence could pick the account that lands first.
/// </summary>
public static class OpeningShuffle
{
    public static void Shuffle<T>(IList<T> fans, int? seed)
    {
        var seeded = seed is { } s ? new Random(s) : null;
        for (var i = fans.Count - 1; i > 0; i--)
        {
            var j = seeded?.Next(i + 1) ?? RandomNumberGenerator.GetInt32(i + 1);
            (fans[i], fans[j]) = (fans[j], fans[i]);
        }
    }
}
