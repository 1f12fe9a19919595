using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>
/// INVITE client transaction (RFC 3261 §17.1.1 with RFC 6026): Calling → Proceeding → Completed (non-2xx, ACK sent
/// here) or Accepted (2xx: passed up, the TU sends the ACK) → Terminated. Timers A (retransmit), B (timeout), D, M.
/// </summary>
public sealed class ClientInviteTransaction : ClientTransaction
{
    private TimeSpan _interval;
    private SipRequest? _ack;
    private bool _cancelPending;

    internal ClientInviteTransaction(SipTransactionLayer layer, SipRequest request, IPEndPoint remote) : base(layer, request, remote) { }

    /// <summary>The CANCEL's own transaction once it has been sent.</summary>
    public ClientTransaction? CancelTransaction { get; private set; }

    internal override void Start()
    {
        State = TransactionState.Calling;
        Send(Request);
        if (!Reliable)
        {
            _interval = Timers.TimerA;
            StartTimer(TimerName.A, _interval);
        }
        StartTimer(TimerName.B, Timers.TimerB);
    }

    private protected override void OnTimer(TimerName name)
    {
        switch (name)
        {
            case TimerName.A when State == TransactionState.Calling:
                Send(Request);
                _interval *= 2;
                StartTimer(TimerName.A, _interval);
                break;
            case TimerName.B when State == TransactionState.Calling:
                Terminate(Transactions.TerminationReason.Timeout);
                ToUser(LocalResponse(408));
                break;
            case TimerName.D when State == TransactionState.Completed:
            case TimerName.M when State == TransactionState.Accepted:
                Terminate(Transactions.TerminationReason.Normal);
                break;
        }
    }

    internal override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case TransactionState.Calling or TransactionState.Proceeding:
                StopTimer(TimerName.A);
                StopTimer(TimerName.B);
                if (response.IsProvisional)
                {
                    State = TransactionState.Proceeding;
                    ToUser(response);
                    if (_cancelPending) SendCancel();
                }
                else if (response.IsSuccess)
                {
                    State = TransactionState.Accepted;
                    StartTimer(TimerName.M, Timers.TimerM);
                    ToUser(response);
                }
                else
                {
                    State = TransactionState.Completed;
                    _ack = BuildAck(response);
                    Send(_ack);
                    ToUser(response);
                    if (Reliable) Terminate(Transactions.TerminationReason.Normal);
                    else StartTimer(TimerName.D, Timers.TimerD);
                }
                break;
            case TransactionState.Accepted when response.IsSuccess:
                ToUser(response); // retransmitted or forked 2xx: the TU ACKs each
                break;
            case TransactionState.Completed when response.IsFinal && !response.IsSuccess:
                Send(_ack!); // retransmitted final response: re-ACK, do not bother the TU
                break;
        }
    }

    /// <summary>Sends CANCEL now if a provisional response has arrived, or as soon as one does (RFC 3261 §9.1).</summary>
    internal bool Cancel()
    {
        if (State == TransactionState.Proceeding)
        {
            if (CancelTransaction is null) SendCancel();
            return true;
        }
        if (State == TransactionState.Calling)
        {
            _cancelPending = true;
            return true;
        }
        return false;
    }

    private void SendCancel()
    {
        _cancelPending = false;
        var cancel = new SipRequest(SipMethod.Cancel, Request.RequestUri.Clone());
        cancel.Headers.Add(Request.TopVia!.Clone());
        foreach (var h in Request.Headers)
            if (h.Kind is HeaderKind.Route or HeaderKind.From or HeaderKind.To or HeaderKind.CallId) cancel.Headers.Add(h.Clone());
        cancel.Headers.Add(new CSeqHeader(Request.CSeq!.Sequence, SipMethod.Cancel));
        cancel.Headers.Add(new MaxForwardsHeader(70));
        CancelTransaction = Layer.StartClient(cancel, Remote);
    }

    /// <summary>The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same top Via, To from the response.</summary>
    private SipRequest BuildAck(SipResponse response)
    {
        var ack = new SipRequest(SipMethod.Ack, Request.RequestUri.Clone());
        ack.Headers.Add(Request.TopVia!.Clone());
        foreach (var h in Request.Headers)
            if (h.Kind is HeaderKind.Route or HeaderKind.From or HeaderKind.CallId) ack.Headers.Add(h.Clone());
        ack.Headers.Add(response.To?.Clone() ?? Request.To!.Clone());
        ack.Headers.Add(new CSeqHeader(Request.CSeq!.Sequence, SipMethod.Ack));
        ack.Headers.Add(new MaxForwardsHeader(70));
        return ack;
    }
}
