using System.Net;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Sip.Tests.Transactions;

/// <summary>Records everything the transaction layer tells its TU; optionally answers requests.</summary>
public sealed class RecordingUser : ISipTransactionUser
{
    public List<(ServerTransaction Transaction, SipRequest Request)> Requests { get; } = new();
    public List<(ClientTransaction Transaction, SipResponse Response)> Responses { get; } = new();
    public List<(SipRequest Ack, ServerInviteTransaction? Transaction)> Acks { get; } = new();
    public List<SipResponse> StrayResponses { get; } = new();
    public List<SipTransaction> Terminated { get; } = new();
    public List<(ServerTransaction Cancel, ServerInviteTransaction Invite)> Cancels { get; } = new();

    /// <summary>Called for each new request; by default nothing is answered.</summary>
    public Action<ServerTransaction, SipRequest>? Answer { get; set; }

    public bool HandleCancel { get; set; } = true;

    public void OnRequest(ServerTransaction transaction, SipRequest request)
    {
        Requests.Add((transaction, request));
        Answer?.Invoke(transaction, request);
    }

    public void OnResponse(ClientTransaction transaction, SipResponse response) => Responses.Add((transaction, response));

    public void OnAck(SipRequest ack, ServerInviteTransaction? transaction, IPEndPoint source) => Acks.Add((ack, transaction));

    public void OnCancel(ServerTransaction cancel, ServerInviteTransaction invite)
    {
        Cancels.Add((cancel, invite));
        if (!HandleCancel) return;
        cancel.Respond(SipResponse.CreateFor(cancel.Request, 200, null, invite.LocalTag));
        if (invite.State == TransactionState.Proceeding) invite.Respond(invite.CreateResponse(487));
    }

    public void OnStrayResponse(SipResponse response, IPEndPoint source) => StrayResponses.Add(response);

    public void OnTerminated(SipTransaction transaction) => Terminated.Add(transaction);
}

/// <summary>A UAC and a UAS transaction layer joined by a loopback network, on a fake clock.</summary>
public sealed class TransactionHarness
{
    public static readonly IPEndPoint UacEndPoint = new(IPAddress.Loopback, 5060);
    public static readonly IPEndPoint UasEndPoint = new(IPAddress.Loopback, 5070);

    public TransactionHarness(bool reliable = false)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Network = new LoopbackNetwork(Clock);
        UacTransport = Network.CreateTransport(UacEndPoint, reliable);
        UasTransport = Network.CreateTransport(UasEndPoint, reliable);
        Uac = new SipTransactionLayer(UacTransport, UacUser, SipTimers.Default, Clock);
        Uas = new SipTransactionLayer(UasTransport, UasUser, SipTimers.Default, Clock);
        Start = Clock.GetUtcNow();
    }

    public FakeTimeProvider Clock { get; }
    public LoopbackNetwork Network { get; }
    public LoopbackTransport UacTransport { get; }
    public LoopbackTransport UasTransport { get; }
    public RecordingUser UacUser { get; } = new();
    public RecordingUser UasUser { get; } = new();
    public SipTransactionLayer Uac { get; }
    public SipTransactionLayer Uas { get; }
    public DateTimeOffset Start { get; }

    /// <summary>Advances the fake clock in small steps so every timer fires at its due time.</summary>
    public void Advance(TimeSpan span, TimeSpan? step = null)
    {
        var stepSize = step ?? TimeSpan.FromMilliseconds(50);
        var end = Clock.GetUtcNow() + span;
        while (Clock.GetUtcNow() < end)
        {
            var next = end - Clock.GetUtcNow();
            Clock.Advance(next < stepSize ? next : stepSize);
        }
    }

    /// <summary>Seconds since the start at which datagrams matching the filter were sent (dropped ones included).</summary>
    public double[] SendTimes(Func<LoopbackDatagram, SipMessage, bool> filter) =>
        Network.Log.Where(d => d.Message is { } m && filter(d, m)).Select(d => (d.SentAt - Start).TotalSeconds).ToArray();

    public static bool IsRequest(SipMessage m, string method) => m is SipRequest r && r.Method == method;

    public static bool IsResponse(SipMessage m, int code) => m is SipResponse r && r.StatusCode == code;

    public static SipRequest NewRequest(string method, string? branch = null, uint cseq = 1, string callId = "call-1")
    {
        var request = new SipRequest(method, SipUri.Parse("sip:agent@127.0.0.1:5070"));
        request.AddHeader(new ViaHeader("UDP", "127.0.0.1", 5060, branch ?? SipRequest.NewBranch()));
        request.AddHeader(new MaxForwardsHeader(70));
        request.AddHeader(new FromHeader(SipUri.Parse("sip:caller@127.0.0.1"), "Caller", "from-tag"));
        request.AddHeader(new ToHeader(SipUri.Parse("sip:agent@127.0.0.1")));
        request.AddHeader(new CallIdHeader(callId));
        request.AddHeader(new CSeqHeader(cseq, method));
        request.AddHeader(new ContactHeader(SipUri.Parse("sip:caller@127.0.0.1:5060")));
        return request;
    }
}
