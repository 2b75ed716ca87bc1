using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Tests;

public sealed class LiteSvmNodeFixture : IAsyncLifetime
{
    public SolanaNode Node { get; } = new();

    public async Task InitializeAsync()
    {
        if (SolanaNode.Unavailable is null)
        {
            await Node.StartAsync();
        }
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>
/// Our transactions, built, signed and serialized by our code, sent by our JSON-RPC client to LiteSVM: Solana's runtime decides
/// whether they are valid, and the balances it reports are read back.
/// </summary>
public sealed class LiteSvmTests(LiteSvmNodeFixture fixture) : IClassFixture<LiteSvmNodeFixture>
{
    private const ulong Sol = 1_000_000_000;

    [SolanaFact]
    public async Task A_mint_of_supply_one_moves_between_wallets_and_burns_as_the_runtime_reports()
    {
        var rpc = fixture.Node.Rpc();
        var payer = Keypair.Generate();
        await rpc.RequestAirdropAsync(payer.PublicKey, 10 * Sol, default);
        var mint = Keypair.Generate();
        var alice = Keypair.Generate();
        var bob = Keypair.Generate();
        var rent = await rpc.GetMinimumBalanceForRentExemptionAsync(Programs.MintSize, default);

        await SendAsync(rpc, payer,
        [
            Programs.CreateAccount(payer.PublicKey, mint.PublicKey, rent, Programs.MintSize, Programs.Token),
            Programs.InitializeMint2(mint.PublicKey, 0, payer.PublicKey, payer.PublicKey),
            Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, alice.PublicKey, mint.PublicKey),
            Programs.MintTo(mint.PublicKey, Programs.AssociatedTokenAddress(alice.PublicKey, mint.PublicKey), payer.PublicKey, 1),
            Programs.RemoveMintAuthority(mint.PublicKey, payer.PublicKey),
            Programs.Memo("""{"ticket":"test"}"""),
        ], mint);
        (await AmountAsync(rpc, alice.PublicKey, mint.PublicKey)).Should().Be(1);
        var mintAccount = await rpc.GetAccountInfoAsync(mint.PublicKey, default);
        mintAccount!.Owner.Should().Be(Programs.Token);
        mintAccount.Data.Length.Should().Be(Programs.MintSize);
        mintAccount.Data[..4].Should().Equal([0, 0, 0, 0], "the mint authority is gone: the supply stays 1");

        // A second mint of the same address is refused by the runtime: the account exists.
        var again = FluentActions.Awaiting(() => SendAsync(rpc, payer,
            [Programs.CreateAccount(payer.PublicKey, mint.PublicKey, rent + 1, Programs.MintSize, Programs.Token)], mint));
        await again.Should().ThrowAsync<SolanaRpcException>().Where(e => e.Code == -32002);

        await SendAsync(rpc, payer,
        [
            Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, bob.PublicKey, mint.PublicKey),
            Programs.TransferChecked(Programs.AssociatedTokenAddress(alice.PublicKey, mint.PublicKey), mint.PublicKey,
                Programs.AssociatedTokenAddress(bob.PublicKey, mint.PublicKey), alice.PublicKey, 1, 0),
            Programs.CloseAccount(Programs.AssociatedTokenAddress(alice.PublicKey, mint.PublicKey), payer.PublicKey, alice.PublicKey),
        ], alice);
        (await AmountAsync(rpc, alice.PublicKey, mint.PublicKey)).Should().Be(0);
        (await AmountAsync(rpc, bob.PublicKey, mint.PublicKey)).Should().Be(1);
        (await rpc.GetTokenLargestAccountsAsync(mint.PublicKey, default)).Should().ContainSingle()
            .Which.Should().Be((Programs.AssociatedTokenAddress(bob.PublicKey, mint.PublicKey), 1UL));

        await SendAsync(rpc, payer,
        [
            Programs.Burn(Programs.AssociatedTokenAddress(bob.PublicKey, mint.PublicKey), mint.PublicKey, bob.PublicKey, 1),
            Programs.CloseAccount(Programs.AssociatedTokenAddress(bob.PublicKey, mint.PublicKey), payer.PublicKey, bob.PublicKey),
        ], bob);
        (await AmountAsync(rpc, bob.PublicKey, mint.PublicKey)).Should().Be(0);
        var burned = await rpc.GetAccountInfoAsync(mint.PublicKey, default);
        BitConverter.ToUInt64(burned!.Data, 36).Should().Be(0, "the supply is 0 after the burn");
    }

    [SolanaFact]
    public async Task The_runtime_refuses_a_transfer_signed_by_someone_who_does_not_hold_the_token()
    {
        var rpc = fixture.Node.Rpc();
        var payer = Keypair.Generate();
        await rpc.RequestAirdropAsync(payer.PublicKey, 10 * Sol, default);
        var mint = Keypair.Generate();
        var alice = Keypair.Generate();
        var mallory = Keypair.Generate();
        var rent = await rpc.GetMinimumBalanceForRentExemptionAsync(Programs.MintSize, default);
        await SendAsync(rpc, payer,
        [
            Programs.CreateAccount(payer.PublicKey, mint.PublicKey, rent, Programs.MintSize, Programs.Token),
            Programs.InitializeMint2(mint.PublicKey, 0, payer.PublicKey, null),
            Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, alice.PublicKey, mint.PublicKey),
            Programs.MintTo(mint.PublicKey, Programs.AssociatedTokenAddress(alice.PublicKey, mint.PublicKey), payer.PublicKey, 1),
        ], mint);

        var theft = FluentActions.Awaiting(() => SendAsync(rpc, payer,
        [
            Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, mallory.PublicKey, mint.PublicKey),
            Programs.TransferChecked(Programs.AssociatedTokenAddress(alice.PublicKey, mint.PublicKey), mint.PublicKey,
                Programs.AssociatedTokenAddress(mallory.PublicKey, mint.PublicKey), mallory.PublicKey, 1, 0),
        ], mallory));

        await theft.Should().ThrowAsync<SolanaRpcException>().Where(e => e.Code == -32002);
        (await AmountAsync(rpc, alice.PublicKey, mint.PublicKey)).Should().Be(1);
    }

    [SolanaFact]
    public async Task A_tampered_signature_is_refused_by_the_runtime()
    {
        var rpc = fixture.Node.Rpc();
        var payer = Keypair.Generate();
        await rpc.RequestAirdropAsync(payer.PublicKey, Sol, default);
        var blockhash = await rpc.GetLatestBlockhashAsync(default);
        var wire = SignedTransaction.Sign(TransactionMessage.Compile(payer.PublicKey, blockhash.Blockhash,
            [Programs.SystemTransfer(payer.PublicKey, Keypair.Generate().PublicKey, 5000)]), payer).Wire;
        wire[10] ^= 0xff;

        await FluentActions.Awaiting(() => rpc.SendTransactionAsync(SignedTransaction.FromWire(wire), default)).Should().ThrowAsync<SolanaRpcException>();
        (await rpc.GetSignatureStatusesAsync([SimpleBase.Base58.Bitcoin.Encode(wire.AsSpan(1, 64))], default)).Should().ContainSingle().Which.Should().BeNull();
    }

    private static async Task<ulong> AmountAsync(SolanaRpc rpc, PublicKey owner, PublicKey mint) =>
        (await rpc.GetTokenAccountsByOwnerAsync(owner, mint, default)).Sum(a => (long)a.Amount) is var sum ? (ulong)sum : 0;

    private static async Task SendAsync(SolanaRpc rpc, Keypair payer, IReadOnlyList<Instruction> instructions, params Keypair[] signers)
    {
        var blockhash = await rpc.GetLatestBlockhashAsync(default);
        var transaction = SignedTransaction.Sign(TransactionMessage.Compile(payer.PublicKey, blockhash.Blockhash, instructions), [payer, .. signers]);
        var signature = await rpc.SendTransactionAsync(transaction, default);
        signature.Should().Be(transaction.Signature);
        var status = (await rpc.GetSignatureStatusesAsync([signature], default))[0];
        status.Should().NotBeNull();
        status!.Error.Should().BeNull();
    }
}
