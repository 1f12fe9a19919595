using System.Net;
using Routing.Sip.Transport;

namespace Routing.Gateway;

/// <summary>The TCP side of the gateway's SIP port (UDP and TCP share it).</summary>
internal static class SipTcp
{
    public static ISipTransport? Create(IPEndPoint bind, IPAddress advertised) => null;

    public static void Start(ISipTransport? transport)
    {
    }
}
