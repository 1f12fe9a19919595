using System.Net;
using Routing.Domain;
using Routing.Gateway.Media;
using Routing.Media.Sdp;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Gateway.Calls;

/// <summary>
/// The outgoing leg of a call: the INVITE to an operator's registered phone (or to an external SIP address for a
/// forward), its dialog once answered, and its media. One per ring attempt.
/// </summary>
internal sealed class OperatorLeg(OperatorId? op, string target, SipTransactionLayer layer, IPEndPoint destination, MediaLeg media, LocalMedia local, SessionDescription offer)
{
    /// <summary>The operator rung; null for a forward to an external address.</summary>
    public OperatorId? Operator { get; } = op;

    /// <summary>What was dialled (operator id or SIP URI), for logs and the history.</summary>
    public string Target { get; } = target;

    public SipTransactionLayer Layer { get; } = layer;
    public IPEndPoint Destination { get; set; } = destination;
    public MediaLeg Media { get; } = media;
    public LocalMedia Local { get; } = local;
    public SessionDescription Offer { get; } = offer;

    public ClientInviteTransaction? Invite { get; set; }
    public SipRequest? InviteRequest { get; set; }
    public SipDialog? Dialog { get; set; }

    /// <summary>We asked it to stop ringing (CANCEL) or hung it up: its later failure responses are expected.</summary>
    public bool Abandoned { get; set; }

    /// <summary>The 2xx was received and acknowledged.</summary>
    public bool Answered { get; set; }

    /// <summary>The call entity accepted the answer (it is connected to this operator).</summary>
    public bool Connected { get; set; }

    public string CallId => InviteRequest?.CallId ?? "";
}
