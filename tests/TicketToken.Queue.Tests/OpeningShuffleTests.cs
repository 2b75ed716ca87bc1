using TicketToken.Queue.Domain;

namespace TicketToken.Queue.Tests;

/// <summary>The opening shuffle gives every early fan every place equally often, and scores put likely bots behind.</summary>
public sealed class OpeningShuffleTests
{
    [Fact]
    public void Every_early_fan_lands_on_every_place_equally_often()
    {
        // 6 fans, 60,000 openings, each seeded by its number so the run is the same every time: a 6 x 6 table of
        // (fan, place) counts, each expected 10,000. Each fan's row is a multinomial of 5 degrees of freedom and each
        // place's column too; the table has (6-1)^2 = 25. The chi-square critical value at p = 0.001 for 25 is 52.6.
        const int Fans = 6;
        const int Openings = 60_000;
        var counts = new long[Fans, Fans];
        for (var seed = 0; seed < Openings; seed++)
        {
            var crowd = Enumerable.Range(0, Fans).ToList();
            OpeningShuffle.Shuffle(crowd, seed);
            for (var place = 0; place < Fans; place++)
            {
                counts[crowd[place], place]++;
            }
        }

        var expected = (double)Openings / Fans;
        var chiSquare = 0.0;
        foreach (var observed in counts)
        {
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }

        chiSquare.Should().BeLessThan(52.6, "no fan is more likely than another to land on any place");
        counts[0, 0].Should().BeInRange(9_000, 11_000, "coming first is no advantage");
    }

    [Fact]
    public void The_unseeded_shuffle_is_a_permutation_of_the_crowd()
    {
        var crowd = Enumerable.Range(0, 1_000).ToList();
        OpeningShuffle.Shuffle(crowd, seed: null);

        crowd.Should().BeEquivalentTo(Enumerable.Range(0, 1_000), "nobody is lost or doubled");
        crowd.Should().NotEqual(Enumerable.Range(0, 1_000), "a thousand fans keep their arrival order with probability 1/1000!");
    }

    [Fact]
    public void A_fresh_account_without_proof_of_work_from_a_crowded_address_scores_above_an_old_account_that_solved_it()
    {
        var human = RiskScore.Of(new RiskScore.Signals(TimeSpan.FromDays(400), 1, 1, true));
        var bot = RiskScore.Of(new RiskScore.Signals(TimeSpan.FromMinutes(3), 200, 40, false));

        human.Score.Should().Be(0);
        human.Reasons.Should().BeEmpty();
        bot.Score.Should().Be(100);
        bot.Reasons.Should().Contain([RiskScore.NewAccount, RiskScore.BusyAddress, RiskScore.SharedAddress, RiskScore.NoProofOfWork]);
    }

    [Fact]
    public void A_mistyped_password_costs_a_fan_almost_nothing_while_repeated_failures_weigh_like_a_missing_proof_of_work()
    {
        var oldAccount = TimeSpan.FromDays(400);
        var typo = RiskScore.Of(new RiskScore.Signals(oldAccount, 1, 1, null, FailedSignInsOfAccount: 2));
        var stuffed = RiskScore.Of(new RiskScore.Signals(oldAccount, 1, 1, null, FailedSignInsOfAccount: RiskScore.ManyFailedSignIns));
        var campus = RiskScore.Of(new RiskScore.Signals(oldAccount, 1, 1, null, FailedSignInsFromAddress: RiskScore.ManyFailedSignInsFromAddress - 1));
        var stuffingAddress = RiskScore.Of(new RiskScore.Signals(oldAccount, 1, 1, null, FailedSignInsFromAddress: RiskScore.ManyFailedSignInsFromAddress));
        var newFanWithTypo = RiskScore.Of(new RiskScore.Signals(TimeSpan.FromMinutes(3), 1, 1, null, FailedSignInsOfAccount: 1));

        typo.Score.Should().Be(5);
        typo.Reasons.Should().Equal(RiskScore.FailedSignIn);
        stuffed.Score.Should().Be(30);
        stuffed.Reasons.Should().Equal(RiskScore.FailedSignIns);
        campus.Score.Should().Be(0);
        stuffingAddress.Score.Should().Be(15);
        stuffingAddress.Reasons.Should().Equal(RiskScore.FailedSignInsFromAddress);
        newFanWithTypo.Score.Should().Be(40).And.BeLessThan(50, "a new account with one typo stays below the default delay score");
    }

    [Fact]
    public void A_solved_challenge_is_checked_and_a_wrong_nonce_is_not_accepted()
    {
        var challenge = ProofOfWork.ChallengeFor([1, 2, 3], new Guid("5f1d7c52-51a4-4a8e-9a67-0d3c1b8e2f10"), new Guid("0b6f3e1a-2c4d-4e5f-8a9b-1c2d3e4f5a6b"));
        var nonce = ProofOfWork.Solve(challenge, 12);

        ProofOfWork.IsSolved(challenge, nonce, 12).Should().BeTrue();
        ProofOfWork.IsSolved(challenge, nonce + "x", 12).Should().BeFalse("this challenge and nonce are fixed, and the changed nonce misses");
        ProofOfWork.IsSolved(challenge, null, 12).Should().BeFalse();
    }
}
