using System.Net;
using Routing.Sip.Transport;

namespace Routing.Gateway;

/// <summary>The TCP side of the gateway's SIP port (UDP and TCP share the port number).</summary>
internal static class SipTcp
{
    public static ISipTransport? Create(IPEndPoint bind, IPAddress advertised) => new TcpSipTransport(bind, advertised);

    public static void Start(ISipTransport? transport)
    {
        if (transport is TcpSipTransport tcp) tcp.Start();
    }
}
