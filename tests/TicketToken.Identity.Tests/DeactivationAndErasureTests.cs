using System.Net;
using Npgsql;
using TicketToken.Contracts.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Deactivating an account (and support reactivating it), and erasing one for good.</summary>
public sealed class DeactivationAndErasureTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_deactivated_account_cannot_sign_in_until_a_platform_admin_reactivates_it()
    {
        var fan = await fixture.Personas.FanAsync();
        var elsewhere = await fixture.Personas.LoginAsync(fan.Email);

        using var deactivated = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/deactivate", new { password = fan.Password });

        await deactivated.ShouldBeAsync(HttpStatusCode.NoContent);
        await fixture.Events.WaitForAsync(UserDeactivated.Topic, e => e.GetProperty("userId").GetGuid() == fan.UserId);
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "account_deactivated");
        foreach (var session in new[] { fan, elsewhere })
        {
            using var refreshed = await _client.RefreshAsync(session.RefreshToken);
            await refreshed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        }

        using var profile = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await profile.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "account_unavailable");
        using var wrongPassword = await _client.LoginAsync(fan.Email, "not the right password");
        await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var admin = await fixture.Personas.PlatformAdminAsync();
        using var reactivated = await _client.SendAsync(admin, HttpMethod.Post, $"/api/admin/users/{fan.UserId}/reactivate");
        await reactivated.ShouldBeAsync(HttpStatusCode.NoContent);
        using var loginAgain = await _client.LoginAsync(fan.Email, fan.Password);
        await loginAgain.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deactivating_needs_the_password()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/deactivate", new { password = "not the right password" });

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "wrong_password");
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Only_a_platform_admin_reactivates_accounts()
    {
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(other, HttpMethod.Post, $"/api/admin/users/{fan.UserId}/reactivate");

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Erasing_an_account_forgets_the_person_and_frees_the_address()
    {
        var fan = await fixture.Personas.FanAsync();

        using var erased = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/erase", new { password = fan.Password });

        await erased.ShouldBeAsync(HttpStatusCode.NoContent);
        await fixture.Events.WaitForAsync(UserErased.Topic, e => e.GetProperty("userId").GetGuid() == fan.UserId);
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        using var refreshed = await _client.RefreshAsync(fan.RefreshToken);
        await refreshed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        var row = await UserRowAsync(fan.UserId);
        row.Should().Be(new UserRow(null, null, null, "erased", 0), "only the bare id is kept");
        var admin = await fixture.Personas.PlatformAdminAsync();
        using var reactivated = await _client.SendAsync(admin, HttpMethod.Post, $"/api/admin/users/{fan.UserId}/reactivate");
        await reactivated.ShouldBeProblemAsync(HttpStatusCode.Conflict, "account_erased");

        var again = await fixture.Personas.FanAsync(fan.Email, "a brand new passphrase");
        again.UserId.Should().NotBe(fan.UserId);
        using var profile = await _client.SendAsync(again, HttpMethod.Get, "/api/me");
        (await profile.ShouldBeAsync(HttpStatusCode.OK)).Text("email").Should().Be(fan.Email);
    }

    [Fact]
    public async Task Erasing_needs_the_password()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/erase", new { password = "not the right password" });

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "wrong_password");
        (await UserRowAsync(fan.UserId)).Email.Should().Be(fan.Email);
    }

    [Fact]
    public async Task The_only_admin_of_an_organizer_cannot_erase_the_account()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();

        using var response = await _client.SendAsync(admin, HttpMethod.Post, "/api/me/erase", new { password = admin.Password });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_organizer_admin");
        problem.Detail.Should().Contain(organizerId.ToString());
        (await UserRowAsync(admin.UserId)).Email.Should().Be(admin.Email);
        var second = await fixture.Personas.StaffAsync(admin, organizerId, "organizer_admin", fixture.Events);
        using var now = await _client.SendAsync(admin, HttpMethod.Post, "/api/me/erase", new { password = admin.Password });
        await now.ShouldBeAsync(HttpStatusCode.NoContent);
        using var members = await _client.SendAsync(second, HttpMethod.Get, $"/api/organizers/{organizerId}/members");
        (await members.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().Select(m => m.GetProperty("userId").GetGuid()).Should().Equal(second.UserId);
    }

    private async Task<UserRow> UserRowAsync(Guid userId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select email, display_name, password_hash, status,
                   (select count(*) from identity.sessions s where s.user_id = u.id)::int
            from identity.users u where id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue("the row of {0} is kept", userId);
        return new UserRow(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetString(3),
            reader.GetInt32(4));
    }

    private sealed record UserRow(string? Email, string? DisplayName, string? PasswordHash, string Status, int Sessions);
}
