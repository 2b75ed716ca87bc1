using System.Buffers.Binary;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Tests;

/// <summary>
/// The PBKDF2 work factor is a setting: test hosts use fewer iterations so that suites can sign in thousands of fans, which only
/// the Testing environment may do, and a hash made with fewer iterations than configured is replaced at the next sign-in.
/// </summary>
public sealed class PasswordHashingTests
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public void Fewer_iterations_than_the_safe_count_are_refused_outside_the_testing_environment()
    {
        static ValidateOptionsResult Check(string environment, int iterations) =>
            new WeakHashingOnlyInTests(new HostingEnvironment { EnvironmentName = environment })
                .Validate(null, new IdentityOptions { PasswordHashIterations = iterations });

        Check(Environments.Production, 1_000).Failed.Should().BeTrue();
        Check(Environments.Development, 99_999).Failed.Should().BeTrue();
        Check("Testing", 0).Failed.Should().BeTrue("a hash needs at least one iteration");
        Check("Testing", 1_000).Succeeded.Should().BeTrue();
        Check(Environments.Production, IdentityOptions.SafePasswordHashIterations).Succeeded.Should().BeTrue();
        new IdentityOptions().PasswordHashIterations.Should().Be(IdentityOptions.SafePasswordHashIterations, "the default is the safe count");
    }

    [Fact]
    public void A_hash_with_fewer_iterations_than_configured_still_verifies_and_is_replaced_by_one_with_the_configured_count()
    {
        var user = new User { Id = Guid.NewGuid() };
        user.PasswordHash = PasswordsWith(1_000).Hash(user, Password);
        IterationsOf(user.PasswordHash).Should().Be(1_000);

        var stronger = PasswordsWith(IdentityOptions.SafePasswordHashIterations);
        stronger.Verify(user, "not the password").Should().BeFalse();
        IterationsOf(user.PasswordHash).Should().Be(1_000, "a wrong password changes nothing");
        stronger.Verify(user, Password).Should().BeTrue();
        IterationsOf(user.PasswordHash).Should().Be(IdentityOptions.SafePasswordHashIterations, "the sign-in rehashed with the configured count");
        stronger.Verify(user, Password).Should().BeTrue();
    }

    private static Passwords PasswordsWith(int iterations) => new(Options.Create(new IdentityOptions { PasswordHashIterations = iterations }));

    /// <summary>The framework's version 3 format: a marker byte, the PRF, then the iteration count, both big-endian.</summary>
    private static int IterationsOf(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        bytes[0].Should().Be(0x01, "a version 3 hash");
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4));
    }
}
