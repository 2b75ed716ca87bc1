using System.Buffers.Binary;
using System.Text;

namespace TicketToken.Minting.Solana;

/// <summary>The programs a ticket's token uses, and the instructions we build for them (layouts: docs/ARCHITECTURE.md §15).</summary>
public static class Programs
{
    public static readonly PublicKey System = PublicKey.Parse("11111111111111111111111111111111");
    public static readonly PublicKey Token = PublicKey.Parse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    public static readonly PublicKey AssociatedToken = PublicKey.Parse("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    public static readonly PublicKey MemoProgram = PublicKey.Parse("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

    /// <summary>Bytes of an SPL Token mint account and of a token account.</summary>
    public const int MintSize = 82;
    public const int TokenAccountSize = 165;

    /// <summary>The associated token account of <paramref name="owner"/> for <paramref name="mint"/>.</summary>
    public static PublicKey AssociatedTokenAddress(PublicKey owner, PublicKey mint) =>
        PublicKey.FindProgramAddress([owner.Bytes.ToArray(), Token.Bytes.ToArray(), mint.Bytes.ToArray()], AssociatedToken).Address;

    public static Instruction SystemTransfer(PublicKey from, PublicKey to, ulong lamports)
    {
        var data = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 2);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(4), lamports);
        return new Instruction(System, [new(from, true, true), new(to, false, true)], data);
    }

    public static Instruction CreateAccount(PublicKey funder, PublicKey account, ulong lamports, ulong space, PublicKey owner)
    {
        var data = new byte[52];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(4), lamports);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(12), space);
        owner.Bytes.CopyTo(data.AsSpan(20));
        return new Instruction(System, [new(funder, true, true), new(account, true, true)], data);
    }

    /// <summary>SPL Token <c>InitializeMint2</c> (tag 20): decimals, mint authority, optional freeze authority.</summary>
    public static Instruction InitializeMint2(PublicKey mint, byte decimals, PublicKey mintAuthority, PublicKey? freezeAuthority)
    {
        var data = new List<byte> { 20, decimals };
        data.AddRange(mintAuthority.Bytes);
        data.AddRange(OptionalKey(freezeAuthority));
        return new Instruction(Token, [new(mint, false, true)], [.. data]);
    }

    /// <summary>Associated Token Account <c>CreateIdempotent</c> ([1]): no error when it already exists for the same owner.</summary>
    public static Instruction CreateAssociatedTokenAccountIdempotent(PublicKey payer, PublicKey owner, PublicKey mint) =>
        new(AssociatedToken,
        [
            new(payer, true, true), new(AssociatedTokenAddress(owner, mint), false, true), new(owner, false, false), new(mint, false, false),
            new(System, false, false), new(Token, false, false),
        ], [1]);

    /// <summary>SPL Token <c>MintTo</c> (tag 7).</summary>
    public static Instruction MintTo(PublicKey mint, PublicKey destination, PublicKey authority, ulong amount) =>
        new(Token, [new(mint, false, true), new(destination, false, true), new(authority, true, false)], WithAmount(7, amount));

    /// <summary>SPL Token <c>TransferChecked</c> (tag 12): the amount and the mint's decimals, which the program checks.</summary>
    public static Instruction TransferChecked(PublicKey source, PublicKey mint, PublicKey destination, PublicKey owner, ulong amount, byte decimals) =>
        new(Token, [new(source, false, true), new(mint, false, false), new(destination, false, true), new(owner, true, false)], [.. WithAmount(12, amount), decimals]);

    /// <summary>SPL Token <c>Burn</c> (tag 8).</summary>
    public static Instruction Burn(PublicKey account, PublicKey mint, PublicKey owner, ulong amount) =>
        new(Token, [new(account, false, true), new(mint, false, true), new(owner, true, false)], WithAmount(8, amount));

    /// <summary>SPL Token <c>CloseAccount</c> (tag 9): an empty token account's rent goes back to <paramref name="destination"/>.</summary>
    public static Instruction CloseAccount(PublicKey account, PublicKey destination, PublicKey owner) =>
        new(Token, [new(account, false, true), new(destination, false, true), new(owner, true, false)], [9]);

    /// <summary>SPL Token <c>FreezeAccount</c> (tag 10) by the mint's freeze authority: for a token held outside our custody.</summary>
    public static Instruction FreezeAccount(PublicKey account, PublicKey mint, PublicKey freezeAuthority) =>
        new(Token, [new(account, false, true), new(mint, false, false), new(freezeAuthority, true, false)], [10]);

    /// <summary>SPL Token <c>SetAuthority</c> (tag 6) for the mint authority (type 0) to nobody: the supply can never grow again.</summary>
    public static Instruction RemoveMintAuthority(PublicKey mint, PublicKey currentAuthority) =>
        new(Token, [new(mint, false, true), new(currentAuthority, true, false)], [6, 0, 0]);

    /// <summary>An SPL Memo: UTF-8 text recorded in the transaction's log (where the ticket's metadata goes, see ADR 0019).</summary>
    public static Instruction Memo(string text) => new(MemoProgram, [], Encoding.UTF8.GetBytes(text));

    private static byte[] WithAmount(byte tag, ulong amount)
    {
        var data = new byte[9];
        data[0] = tag;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(1), amount);
        return data;
    }

    private static byte[] OptionalKey(PublicKey? key) => key is { } k ? [1, .. k.Bytes] : [0];
}
