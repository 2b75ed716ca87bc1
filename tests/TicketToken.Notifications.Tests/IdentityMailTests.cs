using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// Every identity topic a person hears of, through the real identity module, read back from the real SMTP server: the codes in the
/// mail are then used, so a mail that carries a wrong code fails here.
/// </summary>
public sealed partial class IdentityMailTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [MailFact]
    public async Task A_new_account_gets_a_welcome_in_plain_text_and_html()
    {
        var email = Personas.NewEmail("welcome");

        await fixture.Personas.FanAsync(email);

        var mail = await fixture.MailAsync(email);
        mail.Subject.Should().Be("Welcome to TicketToken");
        mail.Text().Should().Contain("your account is ready").And.Contain("https://tickets.example.test");
        mail.Html().Should().Contain("<p>Hello welcome-").And.Contain("<a href=\"https://tickets.example.test\">");
        mail.From.Mailboxes.Single().Address.Should().Be("tickets@tickettoken.local");
    }

    [MailFact]
    public async Task Registering_a_taken_address_warns_its_owner()
    {
        var owner = await fixture.Personas.FanAsync(Personas.NewEmail("taken"));

        using var again = await fixture.Client.PostAsJsonAsync("/api/auth/register", new { email = owner.Email, password = "another long password here" });

        again.StatusCode.Should().Be(HttpStatusCode.Accepted, "the answer never says the address is taken");
        var mail = await fixture.MailAsync(owner.Email, m => m.Subject?.Contains("tried to register", StringComparison.Ordinal) == true);
        mail.Text().Should().Contain("which already has one");
    }

    [MailFact]
    public async Task A_password_reset_mails_a_code_that_resets_the_password_and_the_change_is_confirmed()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("reset"));

        using var forgot = await fixture.Client.PostAsJsonAsync("/api/auth/password/forgot", new { email = fan.Email });

        forgot.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Reset your TicketToken password");
        var token = ResetLink().Match(mail.Text()).Groups["token"].Value;
        token.Should().NotBeEmpty();
        mail.Html().Should().Contain(token);
        using var reset = await fixture.Client.PostAsJsonAsync("/api/auth/password/reset", new { token = Uri.UnescapeDataString(token), newPassword = "a brand new password 123" });
        reset.StatusCode.Should().Be(HttpStatusCode.NoContent, await reset.Content.ReadAsStringAsync());
        await fixture.Personas.LoginAsync(fan.Email, "a brand new password 123");
        var changed = await fixture.MailAsync(fan.Email, m => m.Subject == "Your TicketToken password was changed");
        changed.Text().Should().Contain("every device was signed out");
        (await fixture.Database.ScalarAsync<long>("select count(*) from notifications.messages where recipient_email = $1 and model is not null and status = 'sent'", fan.Email))
            .Should().Be(0, "what a sent message said (the reset code) is not kept");
    }

    [MailFact]
    public async Task A_staff_invitation_mails_a_code_the_invitee_accepts_with()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Harbour Hall");
        var invitee = await fixture.Personas.FanAsync(Personas.NewEmail("staff"));

        await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = invitee.Email, role = "box_office" },
            HttpStatusCode.Created);

        var mail = await fixture.MailAsync(invitee.Email, m => m.Subject?.Contains("invites you", StringComparison.Ordinal) == true);
        mail.Subject.Should().Be("Harbour Hall invites you to its team on TicketToken");
        var code = InvitationCode().Match(mail.Text()).Groups["code"].Value;
        var accepted = await fixture.Client.SendOkAsync(invitee, HttpMethod.Post, "/api/invitations/accept", new { code });
        accepted.GetProperty("role").GetString().Should().Be("box_office");
    }

    [MailFact]
    public async Task Deactivating_an_account_is_confirmed_to_its_owner()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("deactivate"));
        await fixture.MailAsync(fan.Email);

        await fixture.Client.SendOkAsync(fan, HttpMethod.Post, "/api/me/deactivate", new { password = Personas.DefaultPassword }, HttpStatusCode.NoContent);

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Your TicketToken account was deactivated");
        mail.Text().Should().Contain("You cannot sign in until it is reactivated");
    }

    [MailFact]
    public async Task Erasing_an_account_sends_one_last_message_and_then_forgets_the_address()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("erase"));
        await fixture.MailAsync(fan.Email);

        await fixture.Client.SendOkAsync(fan, HttpMethod.Post, "/api/me/erase", new { password = Personas.DefaultPassword }, HttpStatusCode.NoContent);

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Your TicketToken account was erased");
        mail.Text().Should().Contain("This is the last message we send to this address.");
        await Eventually.AssertAsync(async () =>
        {
            (await fixture.Database.ScalarAsync<long>("select count(*) from notifications.messages where recipient_user_id = $1 and recipient_email is not null", fan.UserId))
                .Should().Be(0, "no message of the person keeps their address once the last one went out");
            (await fixture.Database.ScalarAsync<string>("select status from notifications.recipients where user_id = $1", fan.UserId)).Should().Be("erased");
            (await fixture.Database.ScalarAsync<long>("select count(*) from notifications.recipients where email = $1 or display_name is not null and user_id = $2", fan.Email, fan.UserId))
                .Should().Be(0);
        });
    }

    [GeneratedRegex(@"reset-password\?token=(?<token>[^\s]+)")]
    private static partial Regex ResetLink();

    [GeneratedRegex(@"accept with this code:\s+(?<code>\S+)")]
    private static partial Regex InvitationCode();
}
