using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>States of the four RFC 3261 §17 machines (Accepted from RFC 6026).</summary>
public enum TransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Accepted,
    Confirmed,
    Terminated,
}

public enum TerminationReason
{
    /// <summary>The machine ran to its end (Timers D, I, J, K, L, M, or a reliable transport's immediate end).</summary>
    Normal,
    /// <summary>Timer B or F: no final response (the TU got a local 408).</summary>
    Timeout,
    /// <summary>Timer H: a non-2xx final response was never acknowledged.</summary>
    NoAck,
    TransportError,
}

internal enum TimerName
{
    A, B, D, E, F, K, G, H, I, J, L, M, Trying,
}

/// <summary>Common part of the four transaction state machines: identity, timers (on the layer's TimeProvider), sending.</summary>
public abstract class SipTransaction
{
    private readonly TimerHolder?[] _timers = new TimerHolder?[Enum.GetValues<TimerName>().Length];

    private protected SipTransaction(SipTransactionLayer layer, TransactionKey key, SipRequest request, IPEndPoint remote)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Remote = remote;
    }

    internal SipTransactionLayer Layer { get; }
    public TransactionKey Key { get; }
    public SipRequest Request { get; }
    /// <summary>Where requests go (client) or responses go (server).</summary>
    public IPEndPoint Remote { get; }
    public TransactionState State { get; private protected set; }
    public TerminationReason? TerminationReason { get; private set; }
    public bool IsInvite => Request.Method == SipMethod.Invite;

    private protected SipTimers Timers => Layer.Timers;
    private protected bool Reliable => Layer.Transport.IsReliable;

    private protected void StartTimer(TimerName name, TimeSpan due)
    {
        StopTimer(name);
        var holder = new TimerHolder(this, name);
        _timers[(int)name] = holder;
        holder.Timer = Layer.Time.CreateTimer(static s => ((TimerHolder)s!).Fire(), holder, due, Timeout.InfiniteTimeSpan);
    }

    private protected void StopTimer(TimerName name)
    {
        var holder = _timers[(int)name];
        if (holder is null) return;
        _timers[(int)name] = null;
        holder.Timer?.Dispose();
    }

    private protected bool IsRunning(TimerName name) => _timers[(int)name] is not null;

    private protected abstract void OnTimer(TimerName name);

    /// <summary>Called under the layer lock when a transport send failed.</summary>
    internal abstract void OnTransportError();

    private protected void Send(SipMessage message) => Layer.PostSend(message, Remote, this);

    private protected void Terminate(TerminationReason reason)
    {
        if (State == TransactionState.Terminated) return;
        State = TransactionState.Terminated;
        TerminationReason = reason;
        for (var i = 0; i < _timers.Length; i++) StopTimer((TimerName)i);
        Layer.Remove(this);
        Layer.PostToUser(tu => tu.OnTerminated(this));
    }

    public override string ToString() => $"{GetType().Name}({Request.Method} {Key}, {State})";

    private sealed class TimerHolder(SipTransaction owner, TimerName name)
    {
        public ITimer? Timer;

        public void Fire() => owner.Layer.Run(() =>
        {
            if (owner._timers[(int)name] != this) return; // stopped or restarted meanwhile
            owner._timers[(int)name] = null;
            Timer?.Dispose();
            owner.OnTimer(name);
        });
    }
}

/// <summary>A client transaction: INVITE or non-INVITE.</summary>
public abstract class ClientTransaction : SipTransaction
{
    private protected ClientTransaction(SipTransactionLayer layer, SipRequest request, IPEndPoint remote)
        : base(layer, TransactionKey.ForClient(request), request, remote) { }

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response);

    private protected void ToUser(SipResponse response) => Layer.PostToUser(tu => tu.OnResponse(this, response));

    private protected SipResponse LocalResponse(int code)
    {
        var response = SipResponse.CreateFor(Request, code);
        response.IsLocal = true;
        return response;
    }

    internal override void OnTransportError()
    {
        if (State is TransactionState.Terminated) return;
        var reported = State is TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding;
        Terminate(Transactions.TerminationReason.TransportError);
        if (reported) ToUser(LocalResponse(503));
    }
}

/// <summary>A server transaction: INVITE or non-INVITE. The TU answers through <see cref="Respond"/>.</summary>
public abstract class ServerTransaction : SipTransaction
{
    private string? _localTag;

    private protected ServerTransaction(SipTransactionLayer layer, TransactionKey key, SipRequest request, IPEndPoint remote)
        : base(layer, key, request, remote) { }

    /// <summary>The To tag this transaction puts on its responses when the request had none.</summary>
    public string LocalTag => _localTag ??= Request.To?.Tag ?? SipRequest.NewTag();

    /// <summary>A response to the request, with <see cref="LocalTag"/> added to To for codes other than 100.</summary>
    public SipResponse CreateResponse(int statusCode, string? reason = null) =>
        SipResponse.CreateFor(Request, statusCode, reason, statusCode == 100 ? null : LocalTag);

    /// <summary>Sends a response through the transaction; false when the state does not allow it (e.g. already final).</summary>
    public bool Respond(SipResponse response)
    {
        var accepted = false;
        Layer.Run(() => accepted = OnRespond(response));
        return accepted;
    }

    private protected abstract bool OnRespond(SipResponse response);

    /// <summary>A retransmission of the request (under the layer lock).</summary>
    internal abstract void OnRetransmission(SipRequest request);

    internal override void OnTransportError() => Terminate(Transactions.TerminationReason.TransportError);
}
