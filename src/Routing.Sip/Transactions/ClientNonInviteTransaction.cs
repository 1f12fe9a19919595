using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>
/// Non-INVITE client transaction (RFC 3261 §17.1.2): Trying → Proceeding → Completed → Terminated, retransmitting
/// on Timer E (T1, doubling, capped at T2), timing out on Timer F, absorbing retransmitted finals until Timer K.
/// </summary>
public sealed class ClientNonInviteTransaction : ClientTransaction
{
    private TimeSpan _interval;

    internal ClientNonInviteTransaction(SipTransactionLayer layer, SipRequest request, IPEndPoint remote) : base(layer, request, remote) { }

    internal override void Start()
    {
        State = TransactionState.Trying;
        Send(Request);
        if (!Reliable)
        {
            _interval = Timers.TimerE;
            StartTimer(TimerName.E, _interval);
        }
        StartTimer(TimerName.F, Timers.TimerF);
    }

    private protected override void OnTimer(TimerName name)
    {
        switch (name)
        {
            case TimerName.E when State is TransactionState.Trying or TransactionState.Proceeding:
                Send(Request);
                _interval = State == TransactionState.Proceeding ? Timers.T2 : Min(_interval * 2, Timers.T2);
                StartTimer(TimerName.E, _interval);
                break;
            case TimerName.F when State is TransactionState.Trying or TransactionState.Proceeding:
                Terminate(Transactions.TerminationReason.Timeout);
                ToUser(LocalResponse(408));
                break;
            case TimerName.K when State == TransactionState.Completed:
                Terminate(Transactions.TerminationReason.Normal);
                break;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    internal override void OnResponse(SipResponse response)
    {
        if (State is not (TransactionState.Trying or TransactionState.Proceeding)) return; // Completed absorbs
        if (response.IsProvisional)
        {
            State = TransactionState.Proceeding;
            ToUser(response);
            return;
        }
        State = TransactionState.Completed;
        StopTimer(TimerName.E);
        StopTimer(TimerName.F);
        ToUser(response);
        if (Reliable) Terminate(Transactions.TerminationReason.Normal);
        else StartTimer(TimerName.K, Timers.TimerK);
    }
}
