using System.Net;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Gateway.Calls;

/// <summary>
/// An operator leg that another gateway of the cluster places through this one, because the operator's phone
/// registered here: this gateway is a signalling-only back-to-back user agent between the peer gateway (its INVITE
/// carries <c>X-Routing-Relay</c>) and the phone (rung at the address its REGISTER came from, over its own TCP
/// connection when it registered over TCP). The SDP passes through unchanged, so media flows between the phone and
/// the caller's gateway directly (which sends to where the phone's RTP comes from: NAT-safe).
/// </summary>
internal sealed class RelayedLeg(string op, ServerInviteTransaction peerInvite, SipTransactionLayer peerLayer, SipTransactionLayer phoneLayer, IPEndPoint phone)
{
    public Lock Gate { get; } = new();
    public string Operator { get; } = op;

    /// <summary>The peer gateway's INVITE and the layer it came over.</summary>
    public ServerInviteTransaction PeerInvite { get; } = peerInvite;
    public SipTransactionLayer PeerLayer { get; } = peerLayer;
    public SipDialog? PeerDialog { get; set; }

    /// <summary>Our INVITE to the phone.</summary>
    public SipTransactionLayer PhoneLayer { get; } = phoneLayer;
    public IPEndPoint Phone { get; } = phone;
    public SipRequest? PhoneRequest { get; set; }
    public ClientInviteTransaction? PhoneInvite { get; set; }
    public SipDialog? PhoneDialog { get; set; }

    public bool Ringing { get; set; }
    public bool Answered { get; set; }

    /// <summary>The peer cancelled before the phone answered.</summary>
    public bool Cancelled { get; set; }

    public string PeerCallId => PeerInvite.Request.CallId ?? "";
    public string PhoneCallId => PhoneRequest?.CallId ?? "";
}
