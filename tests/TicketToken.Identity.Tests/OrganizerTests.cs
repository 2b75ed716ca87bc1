using System.Net;
using TicketToken.Contracts.Identity;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Organizers, their staff and invitations, and required MFA for staff.</summary>
public sealed class OrganizerTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private const string Admin = "organizer_admin";
    private const string BoxOffice = "box_office";
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Creating_an_organizer_makes_the_creator_its_admin_from_the_next_token_on()
    {
        var fan = await fixture.Personas.FanAsync();

        using var created = await _client.SendAsync(fan, HttpMethod.Post, "/api/organizers", new { name = "  Acme Live  " });

        var organizer = await created.ShouldBeAsync(HttpStatusCode.Created);
        var id = organizer.GetProperty("id").GetGuid();
        organizer.Text("name").Should().Be("Acme Live");
        organizer.GetProperty("requireMfa").GetBoolean().Should().BeFalse();
        created.Headers.Location!.ToString().Should().Be($"/api/organizers/{id}");
        Jwt.Claims(fan.AccessToken, "org").Should().BeEmpty();
        var admin = await fixture.Personas.RefreshAsync(fan);
        Jwt.Claims(admin.AccessToken, "org").Should().Equal($"{id}:{Admin}");
        using var read = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{id}");
        (await read.ShouldBeAsync(HttpStatusCode.OK)).Text("name").Should().Be("Acme Live");
        using var profile = await _client.SendAsync(admin, HttpMethod.Get, "/api/me");
        var membership = (await profile.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("memberships").EnumerateArray().Single();
        membership.GetProperty("organizerId").GetGuid().Should().Be(id);
        membership.Text("role").Should().Be(Admin);
    }

    [Fact]
    public async Task An_admin_without_mfa_cannot_require_mfa_of_the_staff()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();

        using var refused = await _client.SendAsync(admin, HttpMethod.Patch, $"/api/organizers/{organizerId}", new { requireMfa = true });
        using var renamed = await _client.SendAsync(admin, HttpMethod.Patch, $"/api/organizers/{organizerId}", new { name = "Acme Live & Loud" });

        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "mfa_not_enrolled");
        var organizer = await renamed.ShouldBeAsync(HttpStatusCode.OK);
        organizer.Text("name").Should().Be("Acme Live & Loud");
        organizer.GetProperty("requireMfa").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Staff_signed_in_without_mfa_get_no_access_to_an_organizer_that_requires_it()
    {
        var (admin, strict) = await fixture.Personas.OrganizerAdminAsync("Strict Live");
        var (otherAdmin, relaxed) = await fixture.Personas.OrganizerAdminAsync("Relaxed Live");
        var staff = await fixture.Personas.StaffAsync(admin, strict, BoxOffice, fixture.Events);
        staff = await JoinAsync(otherAdmin, relaxed, staff, BoxOffice);
        var (adminSecret, adminStep) = await EnrolMfaAsync(admin);

        using var required = await _client.SendAsync(admin, HttpMethod.Patch, $"/api/organizers/{strict}", new { requireMfa = true });
        (await required.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("requireMfa").GetBoolean().Should().BeTrue();

        using var signedIn = await _client.LoginAsync(staff.Email, staff.Password);
        var tokens = await signedIn.ShouldBeAsync(HttpStatusCode.OK);
        var withoutMfa = staff.WithTokens(tokens);
        tokens.GetProperty("mfaRequiredBy").EnumerateArray().Select(o => o.GetGuid()).Should().Equal(strict);
        Jwt.Claims(withoutMfa.AccessToken, "org").Should().Equal($"{relaxed}:{BoxOffice}");
        using var strictRead = await _client.SendAsync(withoutMfa, HttpMethod.Get, $"/api/organizers/{strict}");
        await strictRead.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        using var relaxedRead = await _client.SendAsync(withoutMfa, HttpMethod.Get, $"/api/organizers/{relaxed}");
        await relaxedRead.ShouldBeAsync(HttpStatusCode.OK);
        using var refreshed = await _client.RefreshAsync(withoutMfa.RefreshToken);
        Jwt.Claims((await refreshed.ShouldBeAsync(HttpStatusCode.OK)).Text("accessToken"), "org").Should().NotContain($"{strict}:{BoxOffice}", "a refresh keeps how the session signed in");

        var (staffSecret, staffStep) = await EnrolMfaAsync(withoutMfa);
        using var withCode = await _client.LoginAsync(staff.Email, staff.Password, Authenticator.Code(staffSecret, staffStep + 1));
        var mfaTokens = await withCode.ShouldBeAsync(HttpStatusCode.OK);
        mfaTokens.GetProperty("mfaRequiredBy").GetArrayLength().Should().Be(0);
        Jwt.Claims(mfaTokens.Text("accessToken"), "org").Should().BeEquivalentTo($"{strict}:{BoxOffice}", $"{relaxed}:{BoxOffice}");
        using var readWithMfa = await _client.SendAsync(mfaTokens.Text("accessToken"), HttpMethod.Get, $"/api/organizers/{strict}");
        await readWithMfa.ShouldBeAsync(HttpStatusCode.OK);

        using var adminWithMfa = await _client.LoginAsync(admin.Email, admin.Password, Authenticator.Code(adminSecret, adminStep + 1));
        Jwt.Claims((await adminWithMfa.ShouldBeAsync(HttpStatusCode.OK)).Text("accessToken"), "org").Should().Equal($"{strict}:{Admin}");
    }

    [Fact]
    public async Task Staff_join_by_accepting_the_invitation_sent_to_them()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();

        var staff = await fixture.Personas.StaffAsync(admin, organizerId, BoxOffice, fixture.Events);

        Jwt.Claims(staff.AccessToken, "org").Should().Equal($"{organizerId}:{BoxOffice}");
        using var read = await _client.SendAsync(staff, HttpMethod.Get, $"/api/organizers/{organizerId}");
        await read.ShouldBeAsync(HttpStatusCode.OK);
        using var members = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/members");
        var list = (await members.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        list.Select(m => (m.GetProperty("userId").GetGuid(), m.Text("email"), m.Text("role")))
            .Should().Equal((admin.UserId, admin.Email, Admin), (staff.UserId, staff.Email, BoxOffice));
        using var invitations = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/invitations");
        var invitation = (await invitations.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
        invitation.Text("email").Should().Be(staff.Email);
        invitation.Text("status").Should().Be("accepted");
    }

    [Fact]
    public async Task Box_office_staff_cannot_administer_the_organizer()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var staff = await fixture.Personas.StaffAsync(admin, organizerId, BoxOffice, fixture.Events);

        using var members = await _client.SendAsync(staff, HttpMethod.Get, $"/api/organizers/{organizerId}/members");
        using var invite = await _client.SendAsync(staff, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = Personas.NewEmail(), role = Admin });

        await members.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await invite.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_organizer_is_not_found_by_the_admin_of_another_organizer()
    {
        var (_, organizerId) = await fixture.Personas.OrganizerAdminAsync("Mine");
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync("Theirs");

        using var read = await _client.SendAsync(stranger, HttpMethod.Get, $"/api/organizers/{organizerId}");
        using var members = await _client.SendAsync(stranger, HttpMethod.Get, $"/api/organizers/{organizerId}/members");
        using var invite = await _client.SendAsync(stranger, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = Personas.NewEmail(), role = BoxOffice });

        await read.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await members.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await invite.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
    }

    [Fact]
    public async Task An_invitation_code_is_not_found_for_anyone_but_the_invited_address_and_works_once()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var invited = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var code = await InviteAsync(admin, organizerId, invited.Email, BoxOffice);

        using var byOther = await _client.SendAsync(other, HttpMethod.Post, "/api/invitations/accept", new { code });
        await byOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
        using var byInvited = await _client.SendAsync(invited, HttpMethod.Post, "/api/invitations/accept", new { code });
        var membership = await byInvited.ShouldBeAsync(HttpStatusCode.OK);
        membership.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        membership.Text("role").Should().Be(BoxOffice);
        using var again = await _client.SendAsync(invited, HttpMethod.Post, "/api/invitations/accept", new { code });
        await again.ShouldBeProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
        using var madeUp = await _client.SendAsync(other, HttpMethod.Post, "/api/invitations/accept", new { code = "abcde-fghjk" });
        await madeUp.ShouldBeProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
    }

    [Fact]
    public async Task A_withdrawn_invitation_cannot_be_accepted()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var invited = await fixture.Personas.FanAsync();
        var code = await InviteAsync(admin, organizerId, invited.Email, BoxOffice);
        var invitationId = await InvitationIdAsync(admin, organizerId, invited.Email);

        using var withdrawn = await _client.SendAsync(admin, HttpMethod.Delete, $"/api/organizers/{organizerId}/invitations/{invitationId}");

        await withdrawn.ShouldBeAsync(HttpStatusCode.NoContent);
        using var accept = await _client.SendAsync(invited, HttpMethod.Post, "/api/invitations/accept", new { code });
        await accept.ShouldBeProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/invitations");
        (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().Text("status").Should().Be("revoked");
    }

    [Fact]
    public async Task An_accepted_invitation_cannot_be_withdrawn()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var staff = await fixture.Personas.StaffAsync(admin, organizerId, BoxOffice, fixture.Events);
        var invitationId = await InvitationIdAsync(admin, organizerId, staff.Email);

        using var withdrawn = await _client.SendAsync(admin, HttpMethod.Delete, $"/api/organizers/{organizerId}/invitations/{invitationId}");

        await withdrawn.ShouldBeProblemAsync(HttpStatusCode.Conflict, "invitation_accepted");
    }

    [Fact]
    public async Task An_invitation_to_a_role_that_does_not_exist_is_refused()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();

        using var response = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = Personas.NewEmail(), role = "platform_admin" });

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_nor_removed()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var members = $"/api/organizers/{organizerId}/members";

        using var demoted = await _client.SendAsync(admin, HttpMethod.Put, $"{members}/{admin.UserId}", new { role = BoxOffice });
        using var removed = await _client.SendAsync(admin, HttpMethod.Delete, $"{members}/{admin.UserId}");

        await demoted.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_organizer_admin");
        await removed.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_organizer_admin");

        var second = await fixture.Personas.StaffAsync(admin, organizerId, Admin, fixture.Events);
        using var nowDemoted = await _client.SendAsync(second, HttpMethod.Put, $"{members}/{admin.UserId}", new { role = BoxOffice });
        await nowDemoted.ShouldBeAsync(HttpStatusCode.NoContent);
        using var secondRemoved = await _client.SendAsync(second, HttpMethod.Delete, $"{members}/{second.UserId}");
        await secondRemoved.ShouldBeProblemAsync(HttpStatusCode.Conflict, "last_organizer_admin");
        using var list = await _client.SendAsync(second, HttpMethod.Get, members);
        (await list.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().Select(m => (m.GetProperty("userId").GetGuid(), m.Text("role")))
            .Should().BeEquivalentTo([(admin.UserId, BoxOffice), (second.UserId, Admin)]);
        var formerAdmin = await fixture.Personas.RefreshAsync(admin);
        Jwt.Claims(formerAdmin.AccessToken, "org").Should().Equal($"{organizerId}:{BoxOffice}");
    }

    [Fact]
    public async Task A_member_can_be_removed_and_loses_the_organizer_with_the_next_token()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var staff = await fixture.Personas.StaffAsync(admin, organizerId, BoxOffice, fixture.Events);

        using var removed = await _client.SendAsync(admin, HttpMethod.Delete, $"/api/organizers/{organizerId}/members/{staff.UserId}");

        await removed.ShouldBeAsync(HttpStatusCode.NoContent);
        var after = await fixture.Personas.RefreshAsync(staff);
        Jwt.Claims(after.AccessToken, "org").Should().BeEmpty();
        using var unknown = await _client.SendAsync(admin, HttpMethod.Delete, $"/api/organizers/{organizerId}/members/{staff.UserId}");
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "member_not_found");
    }

    private async Task<string> InviteAsync(Person admin, Guid organizerId, string email, string role)
    {
        using var invited = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email, role });
        var invitation = await invited.ShouldBeAsync(HttpStatusCode.Created);
        invitation.Text("status").Should().Be("pending");
        var sent = await fixture.Events.WaitForAsync(StaffInvited.Topic, e => e.Text("email") == email && e.GetProperty("organizerId").GetGuid() == organizerId);
        return sent.Text("code");
    }

    private async Task<Guid> InvitationIdAsync(Person admin, Guid organizerId, string email)
    {
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/invitations");
        return (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single(i => i.Text("email") == email).GetProperty("id").GetGuid();
    }

    /// <summary>Adds an existing person to another organizer's staff; returns them with a token that carries it.</summary>
    private async Task<Person> JoinAsync(Person admin, Guid organizerId, Person person, string role)
    {
        var code = await InviteAsync(admin, organizerId, person.Email, role);
        using var accepted = await _client.SendAsync(person, HttpMethod.Post, "/api/invitations/accept", new { code });
        await accepted.ShouldBeAsync(HttpStatusCode.OK);
        return await fixture.Personas.RefreshAsync(person);
    }

    private async Task<(byte[] Secret, long Step)> EnrolMfaAsync(Person person)
    {
        using var started = await _client.SendAsync(person, HttpMethod.Post, "/api/me/mfa/totp");
        var secret = Authenticator.DecodeBase32((await started.ShouldBeAsync(HttpStatusCode.OK)).Text("secret"));
        var step = Authenticator.CurrentStep;
        using var verified = await _client.SendAsync(person, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.Code(secret, step) });
        await verified.ShouldBeAsync(HttpStatusCode.OK);
        return (secret, step);
    }
}
