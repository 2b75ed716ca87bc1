using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Tests;

/// <summary>Our Solana wire format against the vectors published by Solana's own SDKs (docs/../reference: stripe-solana-facts.md §16), byte for byte.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void A_keypair_from_a_64_byte_secret_key_has_the_published_address()
    {
        var secret = Convert.FromBase64String("mdqVWeFekT7pqy5T49+tV12jO0m+ESW7ki4zSU9JiCgbL0kJbj5dvQ/PqcDAzZLZqzshVEs01d1KZdmLh4uZIg==");
        var keypair = Keypair.FromSecretKey(secret);
        keypair.PublicKey.ToString().Should().Be("2q7pyhPwAwZ3QMfZrnAbDhnh9mDUqycszcpf86VgQxhF");
        keypair.SecretKey().Should().Equal(secret);
    }

    [Fact]
    public void A_keypair_from_a_seed_of_eights_has_the_published_address() =>
        new Keypair(Enumerable.Repeat((byte)8, 32).ToArray()).PublicKey.ToString().Should().Be("2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1");

    [Fact]
    public void A_secret_key_whose_halves_do_not_match_is_refused()
    {
        var secret = Convert.FromBase64String("mdqVWeFekT7pqy5T49+tV12jO0m+ESW7ki4zSU9JiCgbL0kJbj5dvQ/PqcDAzZLZqzshVEs01d1KZdmLh4uZIg==");
        secret[63] ^= 1;
        FluentActions.Invoking(() => Keypair.FromSecretKey(secret)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Base58_matches_the_published_strings()
    {
        new PublicKey(new byte[32]).ToString().Should().Be("11111111111111111111111111111111");
        new PublicKey([3, .. new byte[31]]).ToString().Should().Be("CiDwVBFgWV9E5MvXWoLgnEgn2hK7rJikbvfWavzAQz3");
        PublicKey.Parse("CiDwVBFgWV9E5MvXWoLgnEgn2hK7rJikbvfWavzAQz3").Bytes.ToArray().Should().Equal([3, .. new byte[31]]);
        PublicKey.TryParse("0OIl", out _).Should().BeFalse("0, O, I and l are not in the alphabet");
        PublicKey.TryParse("CiDwVBFgWV9E5MvXWoLgnEgn2hK7rJikbvfWavzAQz", out _).Should().BeFalse("31 bytes are no address");
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(0x7f, "7f")]
    [InlineData(0x80, "8001")]
    [InlineData(0xff, "ff01")]
    [InlineData(0x100, "8002")]
    [InlineData(0x7ff, "ff0f")]
    [InlineData(0x3fff, "ff7f")]
    [InlineData(0x4000, "808001")]
    [InlineData(0x7fff, "ffff01")]
    [InlineData(0xffff, "ffff03")]
    public void Compact_u16_matches_the_agave_vectors_both_ways(int value, string hex)
    {
        Convert.ToHexStringLower(ShortVec.Encode(value)).Should().Be(hex);
        ShortVec.Read(Convert.FromHexString(hex), out var consumed).Should().Be(value);
        consumed.Should().Be(hex.Length / 2);
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("ffff00")]
    [InlineData("808004")]
    [InlineData("80")]
    public void Compact_u16_refuses_aliases_overflow_and_truncation(string hex) =>
        FluentActions.Invoking(() => ShortVec.Read(Convert.FromHexString(hex), out _)).Should().Throw<FormatException>();

    [Theory]
    [InlineData(new[] { "", "\u0001" }, "3gF2KMe9KiC6FNVBmfg9i267aMPvK37FewCip4eGBFcT")]
    [InlineData(new[] { "☉" }, "7ytmC1nT1xY4RfxCV2ZgyA7UakC93do5ZdyhdF3EtPj7")]
    [InlineData(new[] { "Talking", "Squirrels" }, "HwRVBufQ4haG5XSgpspwKtNd3PC9GM9m1196uJW36vds")]
    public void Program_addresses_match_the_published_ones(string[] seeds, string expected) =>
        PublicKey.CreateProgramAddress(seeds.Select(s => s == "\u0001" ? new byte[] { 1 } : System.Text.Encoding.UTF8.GetBytes(s)),
            PublicKey.Parse("BPFLoader1111111111111111111111111111111111"))!.Value.ToString().Should().Be(expected);

    [Fact]
    public void Program_addresses_with_key_and_number_seeds_match_the_published_ones()
    {
        PublicKey.CreateProgramAddress([PublicKey.Parse("SeedPubey1111111111111111111111111111111111").Bytes.ToArray()],
            PublicKey.Parse("BPFLoader1111111111111111111111111111111111"))!.Value.ToString().Should().Be("GUs5qLUfsEHkcMB9T38vjr18ypEhRuNWiePW2LoK4E3K");
        var two = new byte[8];
        two[0] = 2;
        PublicKey.CreateProgramAddress([PublicKey.Parse("H4snTKK9adiU15gP22ErfZYtro3aqR9BTMXiH3AwiUTQ").Bytes.ToArray(), two],
            PublicKey.Parse("4ckmDgGdxQoPDLUkDT3vHgSAkzA3QRdNq5ywwY4sUSJn"))!.Value.ToString().Should().Be("12rqwuEgBYiGhBrDJStCiqEtzQpTTiZbh7teNVLuYcFA");
    }

    [Fact]
    public void An_address_on_the_curve_is_no_program_address()
    {
        // Every Ed25519 public key is on the curve; a program-derived address never is.
        new Keypair(Enumerable.Repeat((byte)8, 32).ToArray()).PublicKey.IsOnCurve.Should().BeTrue();
        PublicKey.Parse("12rqwuEgBYiGhBrDJStCiqEtzQpTTiZbh7teNVLuYcFA").IsOnCurve.Should().BeFalse();
    }

    [Fact]
    public void Create_with_seed_matches_the_published_address() =>
        PublicKey.CreateWithSeed(new PublicKey(new byte[32]), "limber chicken: 4/45", new PublicKey(new byte[32])).ToString()
            .Should().Be("9h1HyLCW5dZnBVap8C5egQ9Z6pHyjsh5MNy83iPqqRuq");

    [Fact]
    public void Associated_token_addresses_match_the_spl_vectors()
    {
        var mint = PublicKey.Parse("7o36UsWR1JQLpZ9PE2gn9L4SQ69CNNiWAXd4Jt7rqz9Z");
        var (ata, bump) = PublicKey.FindProgramAddress(
            [PublicKey.Parse("B8UwBUUnKwCyKuGMbFKWaG7exYdDk2ozZrPg72NyVbfj").Bytes.ToArray(), Programs.Token.Bytes.ToArray(), mint.Bytes.ToArray()], Programs.AssociatedToken);
        ata.ToString().Should().Be("DShWnroshVbeUp28oopA3Pu7oFPDBtC1DBmPECXXAQ9n");
        bump.Should().Be(253);
        Programs.AssociatedTokenAddress(ata, mint).ToString().Should().Be("F3DmXZFqkfEWFA7MN2vDPs813GeEWPaT6nLk4PSGuWJd", "an off-curve owner's account");
    }

    [Fact]
    public void A_signed_system_transfer_is_the_published_215_bytes()
    {
        var sender = new Keypair(Enumerable.Repeat((byte)8, 32).ToArray());
        var message = TransactionMessage.Compile(sender.PublicKey, PublicKey.Parse("EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k"),
            [Programs.SystemTransfer(sender.PublicKey, PublicKey.Parse("J3dxNj7nDRRqRRXuEMynDG57DkZK4jYRuv3Garmb1i99"), 49)]);
        var signed = SignedTransaction.Sign(message, sender);

        Convert.ToBase64String(signed.Wire).Should().Be(
            "AVuErQHaXv0SG0/PchunfxHKt8wMRfMZzqV0tkC5qO6owYxWU2v871AoWywGoFQr4z+q/7mE8lIufNl/kxj+nQ0BAAEDE5j2LG0aRXxRumpLXz29L2n8qTIWIY3ImX5Ba9F9k8r9Q5/Mtmcn8onFxt47xKj+XdXXd3C8j/FcPu7csUrz/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAxJrndgN4IFTxep3s6kO0ROug7bEsbx0xxuDkqEvwUusBAgIAAQwCAAAAMQAAAAAAAAA=");
        signed.Wire.Length.Should().Be(215);
        message.Header.Should().Equal(1, 0, 1);
        Keypair.Verify(sender.PublicKey, message.Serialized, signed.FirstSignature).Should().BeTrue();
        SignedTransaction.FromWire(signed.Wire).Signature.Should().Be(signed.Signature);
        // The unsigned form is the same message behind 64 zero bytes.
        SignedTransaction.WithoutSignatures(message).Wire.Should().Equal([1, .. new byte[64], .. message.Serialized]);
    }

    [Fact]
    public void Accounts_are_ordered_signers_first_and_merged()
    {
        var payer = Keypair.Generate();
        var other = Keypair.Generate();
        var target = Keypair.Generate().PublicKey;
        // The target appears read-only first and writable later: it is listed once, writable.
        var message = TransactionMessage.Compile(payer.PublicKey, new PublicKey(new byte[32]),
        [
            new Instruction(Programs.MemoProgram, [new AccountMeta(target, false, false), new AccountMeta(other.PublicKey, true, false)], [1]),
            Programs.SystemTransfer(payer.PublicKey, target, 1),
        ]);
        message.Keys.Should().Equal(payer.PublicKey, other.PublicKey, target, Programs.MemoProgram, Programs.System);
        message.Header.Should().Equal(2, 1, 2);
        FluentActions.Invoking(() => SignedTransaction.Sign(message, payer)).Should().Throw<InvalidOperationException>("the other signer is missing");
    }

    [Fact]
    public void Registry_hashes_are_recomputed_from_the_stored_fields()
    {
        var key = Keypair.Generate();
        var entry = new Data.RegistryEntry
        {
            TicketId = Guid.NewGuid(), Position = 1, Kind = "issue", OwnerId = Guid.NewGuid(), Status = "active", Sequence = 2,
            RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000), PreviousHash = Domain.OwnershipRegistry.Genesis,
        };
        entry.Hash = Domain.OwnershipRegistry.Hash(entry);
        entry.Signature = key.Sign(entry.Hash);
        Domain.OwnershipRegistry.Verify([entry], key.PublicKey).Should().BeNull();

        entry.OwnerId = Guid.NewGuid();
        Domain.OwnershipRegistry.Verify([entry], key.PublicKey).Should().Be("entry 1 was changed after it was recorded");
    }
}
