using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Tickets.Domain;

public enum TransferStatus
{
    Pending,
    Accepted,
    Cancelled,
    Expired,
}

/// <summary>
/// A gift of a ticket (DESIGN.md section 4, "Transfer"): the owner names the recipient by e-mail and gets a one-time
/// acceptance code to pass on; whoever signs in and presents the code before <see cref="ExpiresAt"/> receives the ticket.
/// Only the code's hash is stored.
/// </summary>
public sealed class Transfer
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid EventId { get; set; }
    public Guid SenderId { get; set; }
    public required string RecipientEmail { get; set; }
    public string? Message { get; set; }
    public required byte[] CodeHash { get; set; }
    public TransferStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>A gift of a whole pass (docs/adr/0023): accepting it moves every ticket of the pass bought in the ticket's order; null for one ticket.</summary>
    public Guid? PassId { get; set; }

    /// <summary>Who accepted it; null until then.</summary>
    public Guid? RecipientId { get; set; }

    /// <summary>When it was accepted, cancelled or found expired.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>What a client sees: a pending transfer past its expiry is expired, whether or not anything recorded it.</summary>
    public TransferStatus StatusAt(DateTimeOffset now) => Status == TransferStatus.Pending && ExpiresAt <= now ? TransferStatus.Expired : Status;
}

/// <summary>Transfer statuses by name, and the acceptance codes.</summary>
public static class Transfers
{
    // Crockford's base32: no I, L, O or U, so a code read aloud or typed from a screen survives.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int CodeLength = 20; // 100 bits: the code is the recipient's only credential

    public static string Name(TransferStatus status) => status switch
    {
        TransferStatus.Pending => "pending",
        TransferStatus.Accepted => "accepted",
        TransferStatus.Cancelled => "cancelled",
        _ => "expired",
    };

    public static TransferStatus Parse(string name) => name switch
    {
        "pending" => TransferStatus.Pending,
        "accepted" => TransferStatus.Accepted,
        "cancelled" => TransferStatus.Cancelled,
        "expired" => TransferStatus.Expired,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a transfer status."),
    };

    /// <summary>A new code, in groups of five (<c>7QK2M-…</c>).</summary>
    public static string NewCode()
    {
        var chars = new char[CodeLength];
        for (var i = 0; i < CodeLength; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return string.Join('-', Enumerable.Range(0, CodeLength / 5).Select(g => new string(chars, g * 5, 5)));
    }

    /// <summary>The stored form of a code: SHA-256 of its characters, upper case, without separators.</summary>
    public static byte[] Hash(string code)
    {
        var normal = new string([.. code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
        return SHA256.HashData(Encoding.ASCII.GetBytes(normal));
    }

    /// <summary>Whether <paramref name="code"/> is the transfer's, in constant time.</summary>
    public static bool Matches(Transfer transfer, string code) =>
        CryptographicOperations.FixedTimeEquals(Hash(code), transfer.CodeHash);
}
