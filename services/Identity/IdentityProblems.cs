using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Identity;

/// <summary>Every failure of accounts, sign-in, organizers and devices a client can act on, with its stable <c>code</c>.</summary>
internal static class IdentityProblems
{
    private const string SecondFactorHint = "Send the 6-digit code of the authenticator app as totpCode, or an unused recovery code as recoveryCode.";

    // 400: the request itself is wrong.
    public static ProblemException PasswordLength() =>
        new(StatusCodes.Status400BadRequest, "weak_password", "The password is too short or too long.",
            $"Use {Domain.Passwords.MinimumLength} to {Domain.Passwords.MaximumLength} characters; a few unrelated words make a good one.");

    public static ProblemException PasswordContainsEmail() =>
        new(StatusCodes.Status400BadRequest, "weak_password", "The password contains the e-mail address.", "Choose a password that has nothing to do with the account.");

    public static ProblemException PasswordTooRepetitive() =>
        new(StatusCodes.Status400BadRequest, "weak_password", "The password repeats too few characters.", "Choose a password with more variety.");

    public static ProblemException InvalidEmail() =>
        new(StatusCodes.Status400BadRequest, "invalid_email", "The e-mail address is not valid.", "Send an address like fan@example.com.");

    public static ProblemException InvalidResetToken() =>
        new(StatusCodes.Status400BadRequest, "invalid_reset_token", "The reset link is not valid.", "It expired or was already used; request a new one.");

    /// <summary>A wrong code while enrolling: the likely cause is the phone's clock.</summary>
    public static ProblemException EnrolmentCodeMismatch() =>
        new(StatusCodes.Status400BadRequest, "invalid_mfa_code", "The code does not match.", "Check the phone's clock and type the code the app shows now.");

    /// <summary>A wrong second-factor code on an account that has MFA on.</summary>
    public static ProblemException WrongMfaCode() => new(StatusCodes.Status400BadRequest, "invalid_mfa_code", "The code is wrong or was already used.");

    public static ProblemException InvalidZones(IEnumerable<string> zones) =>
        new(StatusCodes.Status400BadRequest, "invalid_zones", "A device scans at one or more of the zones GA, VIP and BACKSTAGE.", $"Got: {string.Join(", ", zones)}.");

    // 401: who the caller is could not be established.
    public static ProblemException InvalidCredentials() => new(StatusCodes.Status401Unauthorized, "invalid_credentials", "The e-mail address or the password is wrong.");

    /// <summary>The signed-in person's password is wrong while re-authenticating (the e-mail address is known).</summary>
    public static ProblemException WrongPasswordOnReauthentication() => new(StatusCodes.Status401Unauthorized, "invalid_credentials", "The password is wrong.");

    public static ProblemException MfaRequired() => new(StatusCodes.Status401Unauthorized, "mfa_required", "A second factor is required.", SecondFactorHint);

    public static ProblemException InvalidSecondFactor() =>
        new(StatusCodes.Status401Unauthorized, "invalid_mfa_code", "The second-factor code is wrong or was already used.");

    public static ProblemException SessionEnded() => new(StatusCodes.Status401Unauthorized, "session_ended", "This session has ended.", "Sign in again.");

    public static ProblemException AccountUnavailable() =>
        new(StatusCodes.Status401Unauthorized, "account_unavailable", "This account is no longer active.", "Sign in again.");

    public static ProblemException RefreshTokenReused() =>
        new(StatusCodes.Status401Unauthorized, "refresh_token_reused", "This refresh token was already used.",
            "The session has been ended on every device as a precaution; sign in again.");

    public static ProblemException InvalidRefreshToken() =>
        new(StatusCodes.Status401Unauthorized, "invalid_refresh_token", "The refresh token is not valid.", "It expired, was revoked, or never existed; sign in again.");

    public static ProblemException InvalidDeviceCredentials() =>
        new(StatusCodes.Status401Unauthorized, "invalid_device_credentials", "The device id or secret is wrong, or the device was revoked.");

    public static ProblemException DeviceTokenRevoked() => new(StatusCodes.Status401Unauthorized, "device_revoked", "This device was revoked.");

    // 403: the caller is known and may not.
    public static ProblemException AccountDeactivated() =>
        new(StatusCodes.Status403Forbidden, "account_deactivated", "This account is deactivated.", "Ask support to reactivate it.");

    public static ProblemException WrongPassword() => new(StatusCodes.Status403Forbidden, "wrong_password", "The password is wrong.");

    // 404: another organizer's resource is answered exactly like one that does not exist.
    public static ProblemException OrganizerNotFound() => new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException MemberNotFound() => new(StatusCodes.Status404NotFound, "member_not_found", "This person is not on the organizer's staff.");

    public static ProblemException InvitationNotFound() => new(StatusCodes.Status404NotFound, "invitation_not_found", "There is no such invitation.");

    public static ProblemException InvitationCodeNotValid() =>
        new(StatusCodes.Status404NotFound, "invitation_not_found", "This invitation code is not valid for you.",
            "It may have expired, been used or withdrawn, or been sent to another address; ask the organizer for a new one.");

    public static ProblemException VenueNotFound() =>
        new(StatusCodes.Status404NotFound, "venue_not_found", "This organizer has no such venue.", "Register the venue first (POST /api/venues), then its devices.");

    public static ProblemException SessionNotFound() =>
        new(StatusCodes.Status404NotFound, "session_not_found", "There is no such session of yours, or it has already ended.");

    public static ProblemException DeviceNotFound() => new(StatusCodes.Status404NotFound, "device_not_found", "There is no such device.");

    public static ProblemException UserNotFound() => new(StatusCodes.Status404NotFound, "user_not_found", "There is no such account.");

    // 409: the state of things says no.
    public static ProblemException LastOrganizerAdmin() =>
        new(StatusCodes.Status409Conflict, "last_organizer_admin", "An organizer needs at least one admin.", "Make someone else an admin first.");

    /// <summary>Erasing the account would leave these organizers without an admin.</summary>
    public static ProblemException SoleAdminOf(IEnumerable<Guid> organizers) =>
        new(StatusCodes.Status409Conflict, "last_organizer_admin", "You are the only admin of an organizer.",
            $"Make someone else an admin of {string.Join(", ", organizers)} first, so the organizer is not left without one.");

    public static ProblemException MfaAlreadyEnabled() =>
        new(StatusCodes.Status409Conflict, "mfa_already_enabled", "MFA is already on.", "Disable it first to enrol a new authenticator.");

    public static ProblemException NoEnrolmentPending() =>
        new(StatusCodes.Status409Conflict, "no_enrolment_pending", "No TOTP enrolment is in progress.", "Start one with POST /api/me/mfa/totp.");

    public static ProblemException MfaNotEnabled() => new(StatusCodes.Status409Conflict, "mfa_not_enabled", "MFA is off.", "Enrol with POST /api/me/mfa/totp first.");

    public static ProblemException MfaAlreadyOff() => new(StatusCodes.Status409Conflict, "mfa_not_enabled", "MFA is already off.");

    public static ProblemException MfaRequiredByOrganizer(IEnumerable<string> organizers) =>
        new(StatusCodes.Status409Conflict, "mfa_required_by_organizer", "An organizer you work for requires MFA.", $"Required by: {string.Join(", ", organizers)}.");

    public static ProblemException MfaNotEnrolled() =>
        new(StatusCodes.Status409Conflict, "mfa_not_enrolled", "Turn on MFA for yourself first.",
            "Requiring MFA for staff would otherwise lock you out of this organizer: enrol with POST /api/me/mfa/totp.");

    public static ProblemException InvitationAccepted() =>
        new(StatusCodes.Status409Conflict, "invitation_accepted", "The invitation was already accepted.", "Remove the member instead.");

    public static ProblemException DeviceDeactivated() => new(StatusCodes.Status409Conflict, "device_revoked", "This device was deactivated; register a new one.");

    public static ProblemException AccountErased() => new(StatusCodes.Status409Conflict, "account_erased", "This account was erased and cannot come back.");

    // 429: too many tries.
    /// <summary><c>too_many_attempts</c> with <c>Retry-After</c>: the one answer of every throttled sign-in or reset; <paramref name="what"/> is "sign-in".</summary>
    public static ProblemException TooManyAttempts(TimeSpan lockedFor, string what)
    {
        var seconds = (int)Math.Ceiling(lockedFor.TotalSeconds);
        return new(StatusCodes.Status429TooManyRequests, "too_many_attempts", $"Too many {what} attempts.", $"Try again in {Math.Max(1, seconds / 60)} minute(s).")
        {
            RetryAfterSeconds = seconds,
        };
    }
}
