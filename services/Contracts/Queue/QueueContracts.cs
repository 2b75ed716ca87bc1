namespace TicketToken.Contracts.Queue;

/// <summary>
/// An organizer put an on-sale behind the waiting room, changed it, or took it away (topic <see cref="Topic"/>).
/// While <see cref="Queued"/>, inventory refuses holds of the event that carry no admission signed by
/// <see cref="AdmissionKey"/> (an ECDSA P-256 public key, SubjectPublicKeyInfo, base64): the hold route verifies
/// admissions itself, with no call to the queue per hold. Consumers keep the highest <see cref="Version"/>.
/// </summary>
public sealed record OnSaleQueued(Guid EventId, Guid OrganizerId, bool Queued, string AdmissionKey, DateTimeOffset OpensAt, long Version)
{
    public const string Topic = "queue.onsale-queued";
}

/// <summary>
/// The admission a fan's turn in the waiting room gives: a compact JWS (ES256) whose subject is the account, with the
/// event in <see cref="EventClaim"/>, audience <see cref="Audience"/> and a short <c>exp</c>. Sent on a hold request in
/// the <see cref="Header"/> header.
/// </summary>
public static class Admissions
{
    public const string Header = "Queue-Admission";

    public const string Issuer = "queue";

    public const string Audience = "inventory";

    public const string EventClaim = "evt";

    public const string Required = "admission_required";

    public const string Expired = "admission_expired";

    public const string Invalid = "admission_invalid";
}
