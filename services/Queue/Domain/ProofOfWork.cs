using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Queue.Domain;

/// <summary>
/// The optional challenge of a queued on-sale: find a nonce whose SHA-256 with the challenge starts with N zero bits
/// (hashcash). The challenge is derived from the on-sale's public key and the account, so it needs no storage, differs
/// per account, and cannot be solved before the on-sale was queued.
/// </summary>
public static class ProofOfWork
{
    public static string ChallengeFor(byte[] onSalePublicKey, Guid eventId, Guid userId) =>
        Convert.ToHexStringLower(SHA256.HashData([.. onSalePublicKey, .. eventId.ToByteArray(), .. userId.ToByteArray()]));

    public static bool IsSolved(string challenge, string? nonce, int bits)
    {
        if (string.IsNullOrEmpty(nonce) || nonce.Length > 64)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{challenge}:{nonce}"), hash);
        for (var bit = 0; bit < bits; bit++)
        {
            if ((hash[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What a client does: tries nonces until one solves the challenge (about 2^bits hashes).</summary>
    public static string Solve(string challenge, int bits)
    {
        for (long n = 0; ; n++)
        {
            var nonce = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (IsSolved(challenge, nonce, bits))
            {
                return nonce;
            }
        }
    }
}
