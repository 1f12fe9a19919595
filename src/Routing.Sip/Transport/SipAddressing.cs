using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>Turns URIs into socket addresses where no DNS is needed (numeric hosts), per RFC 3263's defaults.</summary>
public static class SipAddressing
{
    public const int DefaultPort = 5060;
    public const int DefaultSecurePort = 5061;

    /// <summary>
    /// The endpoint of a SIP URI whose host (or maddr) is an IP literal: its port, else 5060 (5061 for sips).
    /// False for host names: resolving them is the caller's business (RFC 3263).
    /// </summary>
    public static bool TryGetEndPoint(SipUri uri, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (!uri.IsSip) return false;
        var host = (uri.Maddr ?? uri.Host).Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address)) return false;
        endPoint = new IPEndPoint(address, uri.Port ?? (uri.IsSecure ? DefaultSecurePort : DefaultPort));
        return true;
    }

    /// <summary>The transport a URI asks for: its transport parameter upper-cased, else TLS for sips and UDP for sip.</summary>
    public static string TransportOf(SipUri uri) =>
        uri.Transport?.ToUpperInvariant() ?? (uri.IsSecure ? "TLS" : "UDP");
}
