namespace TicketToken.Minting.Solana;

/// <summary>Solana's compact-u16 ("shortvec"): 7 bits a byte, lowest first, the high bit says another follows; at most 3 bytes.</summary>
public static class ShortVec
{
    public static void Write(List<byte> output, int value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, ushort.MaxValue);
        var rest = value;
        while (true)
        {
            var low = (byte)(rest & 0x7f);
            rest >>= 7;
            if (rest == 0)
            {
                output.Add(low);
                return;
            }

            output.Add((byte)(low | 0x80));
        }
    }

    public static byte[] Encode(int value)
    {
        var output = new List<byte>(3);
        Write(output, value);
        return [.. output];
    }

    /// <summary>Reads one value, refusing non-canonical aliases (a trailing zero byte) and values above 0xffff.</summary>
    public static int Read(ReadOnlySpan<byte> input, out int consumed)
    {
        var value = 0;
        for (var i = 0; i < 3; i++)
        {
            if (i >= input.Length)
            {
                throw new FormatException("The compact-u16 ends early.");
            }

            var b = input[i];
            if (b == 0 && i > 0)
            {
                throw new FormatException("A compact-u16 with a trailing zero byte is not canonical.");
            }

            if (i == 2 && b > 0x03)
            {
                throw new FormatException("A compact-u16 is at most 0xffff.");
            }

            value |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                consumed = i + 1;
                return value;
            }
        }

        throw new FormatException("A compact-u16 is at most 3 bytes.");
    }
}

public sealed record AccountMeta(PublicKey Key, bool IsSigner, bool IsWritable);

public sealed record Instruction(PublicKey ProgramId, IReadOnlyList<AccountMeta> Accounts, byte[] Data);

/// <summary>
/// A legacy transaction message: the accounts in Solana's order (signer-writable with the fee payer first, signer-readonly,
/// writable, readonly; each key once with its flags merged), the recent blockhash and the compiled instructions.
/// </summary>
public sealed class TransactionMessage
{
    private TransactionMessage(byte[] header, IReadOnlyList<PublicKey> keys, byte[] serialized)
    {
        Header = header;
        Keys = keys;
        Serialized = serialized;
    }

    public byte[] Header { get; }

    public IReadOnlyList<PublicKey> Keys { get; }

    /// <summary>The bytes every signer signs.</summary>
    public byte[] Serialized { get; }

    public int RequiredSignatures => Header[0];

    public static TransactionMessage Compile(PublicKey feePayer, PublicKey recentBlockhash, IReadOnlyList<Instruction> instructions)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        // Insertion order within each group: deterministic for the same instructions, which byte-exact tests need.
        var metas = new List<AccountMeta> { new(feePayer, true, true) };
        foreach (var instruction in instructions)
        {
            metas.AddRange(instruction.Accounts);
            metas.Add(new AccountMeta(instruction.ProgramId, false, false));
        }

        var merged = new List<AccountMeta>();
        foreach (var meta in metas)
        {
            var index = merged.FindIndex(m => m.Key == meta.Key);
            if (index < 0)
            {
                merged.Add(meta);
            }
            else
            {
                merged[index] = merged[index] with { IsSigner = merged[index].IsSigner || meta.IsSigner, IsWritable = merged[index].IsWritable || meta.IsWritable };
            }
        }

        var ordered = merged.Where(m => m.IsSigner && m.IsWritable)
            .Concat(merged.Where(m => m.IsSigner && !m.IsWritable))
            .Concat(merged.Where(m => !m.IsSigner && m.IsWritable))
            .Concat(merged.Where(m => !m.IsSigner && !m.IsWritable))
            .ToList();
        if (ordered.Count > 256)
        {
            throw new InvalidOperationException("A transaction names at most 256 accounts.");
        }

        byte[] header =
        [
            (byte)ordered.Count(m => m.IsSigner),
            (byte)ordered.Count(m => m.IsSigner && !m.IsWritable),
            (byte)ordered.Count(m => !m.IsSigner && !m.IsWritable),
        ];
        var keys = ordered.Select(m => m.Key).ToList();
        var output = new List<byte>(512);
        output.AddRange(header);
        ShortVec.Write(output, keys.Count);
        foreach (var key in keys)
        {
            output.AddRange(key.Bytes);
        }

        output.AddRange(recentBlockhash.Bytes);
        ShortVec.Write(output, instructions.Count);
        foreach (var instruction in instructions)
        {
            output.Add((byte)keys.IndexOf(instruction.ProgramId));
            ShortVec.Write(output, instruction.Accounts.Count);
            foreach (var account in instruction.Accounts)
            {
                output.Add((byte)keys.IndexOf(account.Key));
            }

            ShortVec.Write(output, instruction.Data.Length);
            output.AddRange(instruction.Data);
        }

        return new TransactionMessage(header, keys, [.. output]);
    }
}

/// <summary>A signed legacy transaction in wire form: shortvec(signatures) || signatures || message.</summary>
public sealed class SignedTransaction
{
    /// <summary>The packet limit a validator accepts (1280 − 40 − 8).</summary>
    public const int MaxSize = 1232;

    private SignedTransaction(byte[] wire, byte[] firstSignature)
    {
        Wire = wire;
        FirstSignature = firstSignature;
    }

    public byte[] Wire { get; }

    public byte[] FirstSignature { get; }

    /// <summary>The transaction id: its fee payer's signature in Base58.</summary>
    public string Signature => SimpleBase.Base58.Bitcoin.Encode(FirstSignature);

    /// <summary>Signs <paramref name="message"/> by every required signer, in the message's key order; any other signer is refused.</summary>
    public static SignedTransaction Sign(TransactionMessage message, params IReadOnlyList<Keypair> signers)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(signers);
        var signatures = new List<byte[]>();
        for (var i = 0; i < message.RequiredSignatures; i++)
        {
            var key = message.Keys[i];
            var signer = signers.FirstOrDefault(s => s.PublicKey == key)
                         ?? throw new InvalidOperationException($"The transaction needs a signature of {key}.");
            signatures.Add(signer.Sign(message.Serialized));
        }

        if (signers.Any(s => !message.Keys.Take(message.RequiredSignatures).Contains(s.PublicKey)))
        {
            throw new InvalidOperationException("A signer was given that the transaction does not name as a signer.");
        }

        return Assemble(message, signatures);
    }

    /// <summary>A transaction signed earlier, from its wire bytes (to send the very same bytes again).</summary>
    public static SignedTransaction FromWire(byte[] wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var count = ShortVec.Read(wire, out var offset);
        if (count == 0 || wire.Length < offset + 64 * count)
        {
            throw new FormatException("A signed transaction starts with its signatures.");
        }

        return new SignedTransaction(wire, wire[offset..(offset + 64)]);
    }

    /// <summary>The wire form with all-zero signatures (what the RPC docs' unsigned examples show).</summary>
    public static SignedTransaction WithoutSignatures(TransactionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Assemble(message, [.. Enumerable.Range(0, message.RequiredSignatures).Select(_ => new byte[64])]);
    }

    private static SignedTransaction Assemble(TransactionMessage message, List<byte[]> signatures)
    {
        var output = new List<byte>(1 + 64 * signatures.Count + message.Serialized.Length);
        ShortVec.Write(output, signatures.Count);
        foreach (var signature in signatures)
        {
            output.AddRange(signature);
        }

        output.AddRange(message.Serialized);
        if (output.Count > MaxSize)
        {
            throw new InvalidOperationException($"The transaction is {output.Count} bytes; a validator takes at most {MaxSize}.");
        }

        return new SignedTransaction([.. output], signatures[0]);
    }
}
