using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>
/// The transaction user (RFC 3261 §17): what sits above the transactions, e.g. the gateway's UA core. Calls arrive
/// outside the transaction layer's lock, so the TU may call back into the layer freely.
/// </summary>
public interface ISipTransactionUser
{
    /// <summary>A new request (not ACK, not CANCEL): answer it through <paramref name="transaction"/>.</summary>
    void OnRequest(ServerTransaction transaction, SipRequest request);

    /// <summary>A response for a client transaction, including the 408/503 the stack makes up (IsLocal) on timeout or transport error.</summary>
    void OnResponse(ClientTransaction transaction, SipResponse response);

    /// <summary>An ACK for a 2xx (matching no transaction, or the INVITE transaction in the Accepted state): the dialog's business.</summary>
    void OnAck(SipRequest ack, ServerInviteTransaction? transaction, IPEndPoint source) { }

    /// <summary>
    /// A CANCEL that matched an INVITE server transaction. The default answers 200 to the CANCEL and 487 to the
    /// INVITE when it has no final response yet (RFC 3261 §9.2).
    /// </summary>
    void OnCancel(ServerTransaction cancel, ServerInviteTransaction invite)
    {
        cancel.Respond(SipResponse.CreateFor(cancel.Request, 200, null, invite.LocalTag));
        if (invite.State == TransactionState.Proceeding) invite.Respond(invite.CreateResponse(487));
    }

    /// <summary>A response that matched no client transaction (e.g. a 2xx retransmission after Timer M): a proxy forwards it, a UAC re-ACKs.</summary>
    void OnStrayResponse(SipResponse response, IPEndPoint source) { }

    /// <summary>A transaction reached Terminated; <see cref="SipTransaction.TerminationReason"/> says why.</summary>
    void OnTerminated(SipTransaction transaction) { }
}
