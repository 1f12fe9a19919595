using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>
/// Non-INVITE server transaction (RFC 3261 §17.2.2): Trying → Proceeding → Completed → Terminated (Timer J),
/// answering request retransmissions with the last response sent.
/// </summary>
public sealed class ServerNonInviteTransaction : ServerTransaction
{
    private SipResponse? _last;

    internal ServerNonInviteTransaction(SipTransactionLayer layer, TransactionKey key, SipRequest request, IPEndPoint remote)
        : base(layer, key, request, remote)
    {
        State = TransactionState.Trying;
    }

    private protected override bool OnRespond(SipResponse response)
    {
        if (State is not (TransactionState.Trying or TransactionState.Proceeding)) return false;
        _last = response;
        Send(response);
        if (response.IsProvisional)
        {
            State = TransactionState.Proceeding;
            return true;
        }
        State = TransactionState.Completed;
        if (Reliable) Terminate(Transactions.TerminationReason.Normal);
        else StartTimer(TimerName.J, Timers.TimerJ);
        return true;
    }

    internal override void OnRetransmission(SipRequest request)
    {
        if (State is TransactionState.Proceeding or TransactionState.Completed && _last is not null) Send(_last);
    }

    private protected override void OnTimer(TimerName name)
    {
        if (name == TimerName.J && State == TransactionState.Completed) Terminate(Transactions.TerminationReason.Normal);
    }
}
