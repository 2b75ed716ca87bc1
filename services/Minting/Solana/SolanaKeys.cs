using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace TicketToken.Minting.Solana;

/// <summary>A Solana address: 32 bytes (an Ed25519 public key, or a program-derived address off the curve), written in Base58.</summary>
public readonly record struct PublicKey
{
    private readonly byte[] _bytes;

    public PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException("A Solana address is 32 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static PublicKey Parse(string base58)
    {
        ArgumentNullException.ThrowIfNull(base58);
        return TryParse(base58, out var key) ? key : throw new FormatException($"'{base58}' is not a Solana address.");
    }

    public static bool TryParse(string? base58, out PublicKey key)
    {
        key = default;
        if (string.IsNullOrEmpty(base58) || base58.Length > 44)
        {
            return false;
        }

        try
        {
            var bytes = SimpleBase.Base58.Bitcoin.Decode(base58);
            if (bytes.Length != 32)
            {
                return false;
            }

            key = new PublicKey(bytes);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public bool Equals(PublicKey other) => Bytes.SequenceEqual(other.Bytes);

    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(Bytes);

    public override string ToString() => SimpleBase.Base58.Bitcoin.Encode(Bytes);

    /// <summary>Whether the bytes decode as an Ed25519 point (RFC 8032 decompression): such an address has a private key somewhere.</summary>
    public bool IsOnCurve => Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.ValidatePublicKeyPartial(_bytes, 0);

    /// <summary><c>create_program_address</c>: SHA-256 of the seeds, the program and the marker; refused when the result is on the curve.</summary>
    public static PublicKey? CreateProgramAddress(IEnumerable<byte[]> seeds, PublicKey program)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var seed in seeds)
        {
            if (seed.Length > 32)
            {
                throw new ArgumentException("A seed is at most 32 bytes.", nameof(seeds));
            }

            hash.AppendData(seed);
        }

        hash.AppendData(program.Bytes);
        hash.AppendData(ProgramDerivedMarker);
        var address = new PublicKey(hash.GetHashAndReset());
        return address.IsOnCurve ? null : address;
    }

    /// <summary><c>find_program_address</c>: the first bump from 255 down whose address is off the curve.</summary>
    public static (PublicKey Address, byte Bump) FindProgramAddress(IReadOnlyList<byte[]> seeds, PublicKey program)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        for (var bump = 255; bump > 0; bump--)
        {
            if (CreateProgramAddress([.. seeds, [(byte)bump]], program) is { } address)
            {
                return (address, (byte)bump);
            }
        }

        throw new InvalidOperationException("No bump gives an address off the curve.");
    }

    /// <summary><c>create_with_seed</c>: SHA-256(base || seed || owner), no curve test.</summary>
    public static PublicKey CreateWithSeed(PublicKey baseKey, string seed, PublicKey owner)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        if (seedBytes.Length > 32)
        {
            throw new ArgumentException("A seed is at most 32 bytes.", nameof(seed));
        }

        return new PublicKey(SHA256.HashData([.. baseKey.Bytes, .. seedBytes, .. owner.Bytes]));
    }

    private static readonly byte[] ProgramDerivedMarker = "ProgramDerivedAddress"u8.ToArray();
}

/// <summary>An Ed25519 keypair as Solana uses it: a 32-byte seed, the public key its address; signatures are deterministic (RFC 8032).</summary>
public sealed class Keypair
{
    private readonly Ed25519PrivateKeyParameters _private;

    public Keypair(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        }

        _private = new Ed25519PrivateKeyParameters(seed.ToArray(), 0);
        PublicKey = new PublicKey(_private.GeneratePublicKey().GetEncoded());
    }

    public PublicKey PublicKey { get; }

    public static Keypair Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>From Solana's 64-byte secret key (seed || public key), refused when the halves do not belong together.</summary>
    public static Keypair FromSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != 64)
        {
            throw new ArgumentException("A Solana secret key is 64 bytes.", nameof(secretKey));
        }

        var keypair = new Keypair(secretKey[..32]);
        return keypair.PublicKey.Bytes.SequenceEqual(secretKey[32..])
            ? keypair
            : throw new ArgumentException("The public half does not match the seed.", nameof(secretKey));
    }

    /// <summary>The seed; the caller keeps it encrypted at rest.</summary>
    public byte[] Seed() => _private.GetEncoded();

    /// <summary>Solana's 64-byte form (what <c>solana-keygen</c> writes and wallets import).</summary>
    public byte[] SecretKey() => [.. Seed(), .. PublicKey.Bytes];

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public static bool Verify(PublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key.Bytes.ToArray(), 0));
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature.ToArray());
    }
}
