using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Parsing;

namespace Routing.Sip.Transport;

/// <summary>One datagram that went over a <see cref="LoopbackNetwork"/>.</summary>
public sealed record LoopbackDatagram(IPEndPoint From, IPEndPoint To, byte[] Bytes, DateTimeOffset SentAt, bool Dropped)
{
    public SipMessage? Message => SipParser.ParseDatagram(Bytes).Message;
}

/// <summary>
/// An in-process network for tests: transports attached to it exchange real serialized bytes, every datagram is
/// logged with the time it was sent, and a predicate can drop datagrams to simulate loss. Delivery is synchronous
/// but never re-entrant: a message sent while another is being delivered is queued and delivered right after.
/// </summary>
public sealed class LoopbackNetwork(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<IPEndPoint, LoopbackTransport> _endpoints = new();
    private readonly Queue<LoopbackDatagram> _queue = new();
    private readonly List<LoopbackDatagram> _log = new();
    private readonly Lock _gate = new();
    private bool _delivering;

    /// <summary>Return true to lose a datagram (it is still logged, with Dropped set).</summary>
    public Func<LoopbackDatagram, bool>? Drop { get; set; }

    public IReadOnlyList<LoopbackDatagram> Log
    {
        get { lock (_gate) return _log.ToList(); }
    }

    public LoopbackTransport CreateTransport(IPEndPoint endPoint, bool reliable = false, string? protocol = null)
    {
        var transport = new LoopbackTransport(this, endPoint, reliable, protocol ?? (reliable ? "TCP" : "UDP"));
        lock (_gate) _endpoints.Add(endPoint, transport);
        return transport;
    }

    internal bool Send(IPEndPoint from, IPEndPoint to, byte[] bytes)
    {
        lock (_gate)
        {
            if (!_endpoints.ContainsKey(to)) return false;
            var datagram = new LoopbackDatagram(from, to, bytes, _time.GetUtcNow(), false);
            if (Drop?.Invoke(datagram) == true) datagram = datagram with { Dropped = true };
            _log.Add(datagram);
            if (datagram.Dropped) return true;
            _queue.Enqueue(datagram);
            if (_delivering) return true;
            _delivering = true;
        }
        try
        {
            while (true)
            {
                LoopbackDatagram next;
                LoopbackTransport target;
                lock (_gate)
                {
                    if (!_queue.TryDequeue(out next!)) return true;
                    target = _endpoints[next.To];
                }
                target.Deliver(next.Bytes, next.From);
            }
        }
        finally
        {
            lock (_gate) _delivering = false;
        }
    }
}

/// <summary>A transport on a <see cref="LoopbackNetwork"/>.</summary>
public sealed class LoopbackTransport : ISipTransport
{
    private readonly LoopbackNetwork _network;

    internal LoopbackTransport(LoopbackNetwork network, IPEndPoint endPoint, bool reliable, string protocol)
    {
        _network = network;
        LocalEndPoint = endPoint;
        IsReliable = reliable;
        Protocol = protocol;
    }

    public string Protocol { get; }
    public bool IsReliable { get; }
    public IPEndPoint LocalEndPoint { get; }

    public event Action<SipMessage, IPEndPoint>? MessageReceived;
    public event Action<SipParseError, IPEndPoint>? MessageRejected;

    public bool Send(SipMessage message, IPEndPoint destination) => _network.Send(LocalEndPoint, destination, message.ToBytes());

    /// <summary>Injects raw bytes as if they had arrived from <paramref name="from"/>.</summary>
    public void Deliver(ReadOnlySpan<byte> bytes, IPEndPoint from)
    {
        var result = SipParser.ParseDatagram(bytes);
        if (result.IsSuccess) MessageReceived?.Invoke(result.Message, from);
        else MessageRejected?.Invoke(result.Error, from);
    }
}
