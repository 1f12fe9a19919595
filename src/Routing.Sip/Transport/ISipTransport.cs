using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Parsing;

namespace Routing.Sip.Transport;

/// <summary>
/// One SIP transport (UDP socket, TCP/TLS listener, loopback). It frames and parses what arrives and raises
/// <see cref="MessageReceived"/> or <see cref="MessageRejected"/>; it serializes what is sent.
/// </summary>
public interface ISipTransport
{
    /// <summary>"UDP", "TCP", "TLS", ... as written in Via.</summary>
    string Protocol { get; }

    /// <summary>Reliable transports (TCP, TLS, SCTP) make the transactions skip retransmissions (RFC 3261 §17).</summary>
    bool IsReliable { get; }

    IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// The address and port peers should use to reach this transport (Via sent-by, Contact, SDP): the bound
    /// address, or a configured one when bound to a wildcard address (0.0.0.0 is no address a peer can send to).
    /// </summary>
    IPEndPoint AdvertisedEndPoint => LocalEndPoint;

    /// <summary>Sends a message; false when it could not be handed to the network (the transaction treats it as a transport error).</summary>
    bool Send(SipMessage message, IPEndPoint destination);

    event Action<SipMessage, IPEndPoint>? MessageReceived;

    /// <summary>A message that failed to parse; the error says whether and how to answer.</summary>
    event Action<SipParseError, IPEndPoint>? MessageRejected;
}
