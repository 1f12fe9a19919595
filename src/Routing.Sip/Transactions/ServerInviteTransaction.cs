using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>
/// INVITE server transaction (RFC 3261 §17.2.1 with RFC 6026): Proceeding → Completed (non-2xx, retransmitted on
/// Timer G until ACK or Timer H) → Confirmed (Timer I), or Accepted on 2xx (Timer L: absorbs INVITE
/// retransmissions, sends the TU's 2xx retransmissions, passes ACKs up) → Terminated.
/// </summary>
public sealed class ServerInviteTransaction : ServerTransaction
{
    private SipResponse? _lastProvisional;
    private SipResponse? _final;
    private SipResponse? _accepted;
    private TimeSpan _interval;

    internal ServerInviteTransaction(SipTransactionLayer layer, TransactionKey key, SipRequest request, IPEndPoint remote)
        : base(layer, key, request, remote)
    {
        State = TransactionState.Proceeding;
        if (Timers.TryingDelay <= TimeSpan.Zero) SendTrying();
        else StartTimer(TimerName.Trying, Timers.TryingDelay);
    }

    private void SendTrying()
    {
        _lastProvisional = CreateResponse(100);
        Send(_lastProvisional);
    }

    private protected override bool OnRespond(SipResponse response)
    {
        if (State == TransactionState.Accepted)
        {
            if (!response.IsSuccess) return false;
            _accepted = response;
            Send(response);
            return true;
        }
        if (State != TransactionState.Proceeding) return false;
        StopTimer(TimerName.Trying);
        if (response.IsProvisional)
        {
            _lastProvisional = response;
            Send(response);
        }
        else if (response.IsSuccess)
        {
            State = TransactionState.Accepted;
            _accepted = response;
            Send(response);
            if (!Reliable)
            {
                // RFC 3261 §13.3.1.4: the 2xx is resent at T1, 2T1 ... T2 until its ACK arrives.
                _interval = Timers.TimerG;
                StartTimer(TimerName.G, _interval);
            }
            StartTimer(TimerName.L, Timers.TimerL);
        }
        else
        {
            State = TransactionState.Completed;
            _final = response;
            Send(response);
            if (!Reliable)
            {
                _interval = Timers.TimerG;
                StartTimer(TimerName.G, _interval);
            }
            StartTimer(TimerName.H, Timers.TimerH);
        }
        return true;
    }

    internal override void OnRetransmission(SipRequest request)
    {
        switch (State)
        {
            case TransactionState.Proceeding when _lastProvisional is not null:
                Send(_lastProvisional);
                break;
            case TransactionState.Completed:
                Send(_final!);
                break;
        }
    }

    /// <summary>True once the ACK for this transaction's 2xx arrived (it carries a new branch, so the layer matches it by dialog).</summary>
    public bool AckReceived { get; private set; }

    /// <summary>The ACK for our 2xx: same Call-ID and CSeq number as the INVITE, and the 2xx's To tag.</summary>
    internal bool IsAckFor2xx(SipRequest ack) =>
        State == TransactionState.Accepted && _accepted is not null && ack.CallId == Request.CallId
        && ack.CSeq?.Sequence == Request.CSeq?.Sequence && ack.To?.Tag == _accepted.To?.Tag;

    internal void OnAck(SipRequest ack, IPEndPoint source)
    {
        switch (State)
        {
            case TransactionState.Completed:
                State = TransactionState.Confirmed;
                StopTimer(TimerName.G);
                StopTimer(TimerName.H);
                if (Reliable) Terminate(Transactions.TerminationReason.Normal);
                else StartTimer(TimerName.I, Timers.TimerI);
                break;
            case TransactionState.Accepted:
                AckReceived = true;
                StopTimer(TimerName.G);
                Layer.PostToUser(tu => tu.OnAck(ack, this, source));
                break;
        }
    }

    private protected override void OnTimer(TimerName name)
    {
        switch (name)
        {
            case TimerName.Trying when State == TransactionState.Proceeding && _lastProvisional is null:
                SendTrying();
                break;
            case TimerName.G when State == TransactionState.Completed:
                Send(_final!);
                _interval = _interval * 2 < Timers.T2 ? _interval * 2 : Timers.T2;
                StartTimer(TimerName.G, _interval);
                break;
            case TimerName.H when State == TransactionState.Completed:
                Terminate(Transactions.TerminationReason.NoAck);
                break;
            case TimerName.G when State == TransactionState.Accepted && !AckReceived:
                Send(_accepted!);
                _interval = _interval * 2 < Timers.T2 ? _interval * 2 : Timers.T2;
                StartTimer(TimerName.G, _interval);
                break;
            case TimerName.I when State == TransactionState.Confirmed:
                Terminate(Transactions.TerminationReason.Normal);
                break;
            case TimerName.L when State == TransactionState.Accepted:
                // A 2xx never acknowledged: the UAS should end the dialog with BYE (RFC 3261 §13.3.1.4).
                Terminate(AckReceived ? Transactions.TerminationReason.Normal : Transactions.TerminationReason.NoAck);
                break;
        }
    }
}
