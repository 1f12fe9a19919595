using System.Collections.Concurrent;
using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Sip.Tests.Transport;

/// <summary>A thread-safe TU for tests over real sockets: records everything, optionally answers requests.</summary>
public sealed class ConcurrentUser : ISipTransactionUser
{
    public ConcurrentQueue<(ServerTransaction Transaction, SipRequest Request)> Requests { get; } = new();
    public ConcurrentQueue<(ClientTransaction Transaction, SipResponse Response)> Responses { get; } = new();
    public ConcurrentQueue<(SipRequest Ack, IPEndPoint Source)> Acks { get; } = new();
    public ConcurrentQueue<SipResponse> StrayResponses { get; } = new();

    /// <summary>Called for each new request (on the transport's receive thread).</summary>
    public Action<ServerTransaction, SipRequest>? Answer { get; set; }

    public void OnRequest(ServerTransaction transaction, SipRequest request)
    {
        Requests.Enqueue((transaction, request));
        Answer?.Invoke(transaction, request);
    }

    public void OnResponse(ClientTransaction transaction, SipResponse response) => Responses.Enqueue((transaction, response));

    public void OnAck(SipRequest ack, ServerInviteTransaction? transaction, IPEndPoint source) => Acks.Enqueue((ack, source));

    public void OnStrayResponse(SipResponse response, IPEndPoint source) => StrayResponses.Enqueue(response);

    public IEnumerable<SipResponse> ResponsesTo(ClientTransaction tx) => Responses.Where(r => r.Transaction == tx).Select(r => r.Response);
}

/// <summary>Wraps a transport and loses chosen outgoing messages, to exercise retransmission over a real socket.</summary>
public sealed class LossyTransport(ISipTransport inner, Func<SipMessage, bool> drop) : ISipTransport
{
    private int _dropped;
    public int Dropped => Volatile.Read(ref _dropped);
    public string Protocol => inner.Protocol;
    public bool IsReliable => inner.IsReliable;
    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;
    public IPEndPoint AdvertisedEndPoint => inner.AdvertisedEndPoint;

    public bool Send(SipMessage message, IPEndPoint destination)
    {
        if (drop(message))
        {
            Interlocked.Increment(ref _dropped);
            return true;
        }
        return inner.Send(message, destination);
    }

    public event Action<SipMessage, IPEndPoint>? MessageReceived
    {
        add => inner.MessageReceived += value;
        remove => inner.MessageReceived -= value;
    }

    public event Action<SipParseError, IPEndPoint>? MessageRejected
    {
        add => inner.MessageRejected += value;
        remove => inner.MessageRejected -= value;
    }
}

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails the test after the deadline.</summary>
    public static async Task True(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(5);
        }
    }

    public static async Task<T> Value<T>(Func<T?> probe, string what, double seconds = 10) where T : class
    {
        T? value = null;
        await True(() => (value = probe()) is not null, what, seconds);
        return value!;
    }
}

public static class Requests
{
    public static SipRequest Options(IPEndPoint to, string callId, uint cseq = 1) =>
        SipRequestBuilder(SipMethod.Options, to, callId, cseq);

    public static SipRequest SipRequestBuilder(string method, IPEndPoint to, string callId, uint cseq = 1)
    {
        var request = new SipRequest(method, SipUri.Create(to.Address.ToString(), "agent", to.Port));
        request.AddHeader(new MaxForwardsHeader(70));
        request.AddHeader(new FromHeader(SipUri.Parse("sip:caller@127.0.0.1"), null, SipRequest.NewTag()));
        request.AddHeader(new ToHeader(SipUri.Parse("sip:agent@127.0.0.1")));
        request.AddHeader(new CallIdHeader(callId));
        request.AddHeader(new CSeqHeader(cseq, method));
        return request;
    }
}
