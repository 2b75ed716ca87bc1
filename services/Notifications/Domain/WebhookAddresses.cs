using System.Net;
using System.Net.Sockets;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// Where webhooks may go (OWASP API7, server-side request forgery): an endpoint's host must resolve only to public addresses
/// unless the operator allows private networks. The check runs when the endpoint is registered and again on every connection,
/// which then goes to the address that passed the check, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
/// </summary>
public static class WebhookAddresses
{
    // Non-public IPv4 and IPv6 ranges (RFC 6890 special-purpose registries, the ones a request could be turned against).
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.88.99.0/24"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !NonPublic.Any(n => n.Contains(address));
    }

    /// <summary>The addresses of <paramref name="host"/> a delivery may connect to; throws <see cref="AddressRefusedException"/> when none.</summary>
    public static async Task<IPAddress[]> ResolveAllowedAsync(string host, bool allowPrivate, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new AddressRefusedException($"The host {host} does not resolve ({e.SocketErrorCode}).", unresolvable: true);
            }
        }

        if (addresses.Length == 0)
        {
            throw new AddressRefusedException($"The host {host} does not resolve.", unresolvable: true);
        }

        // Every address must pass: a name that resolves to a public and a private address could be steered to either.
        var refused = allowPrivate ? [] : addresses.Where(a => !IsPublic(a)).ToList();
        if (refused.Count > 0)
        {
            throw new AddressRefusedException($"{host} resolves to {string.Join(", ", refused)}, which is not a public address; webhooks are not sent to loopback, link-local or private networks.");
        }

        return addresses;
    }

    /// <summary>A connection for <see cref="SocketsHttpHandler.ConnectCallback"/>: resolve, check, and connect to a checked address.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, allowPrivate, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last!;
    }
}

/// <summary>An endpoint's host resolves to nothing a webhook may go to.</summary>
public sealed class AddressRefusedException(string message, bool unresolvable = false) : Exception(message)
{
    public bool Unresolvable { get; } = unresolvable;
}
