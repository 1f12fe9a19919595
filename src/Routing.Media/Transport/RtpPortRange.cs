using System.Net;
using System.Net.Sockets;

namespace Routing.Media.Transport;

/// <summary>The UDP ports media may use: RTP on even ports, RTCP on the odd port above (RFC 3550 §11).</summary>
public sealed record RtpPortRange
{
    public RtpPortRange(int first, int last)
    {
        if (first is < 1024 or > 65534 || first % 2 != 0) throw new ArgumentOutOfRangeException(nameof(first), first, "An even port from 1024.");
        if (last <= first || last > 65535) throw new ArgumentOutOfRangeException(nameof(last), last, "Above the first port, at most 65535.");
        First = first;
        Last = last;
    }

    public int First { get; }
    public int Last { get; }

    /// <summary>Number of RTP/RTCP pairs.</summary>
    public int Pairs => (Last - First + 1) / 2;
}

/// <summary>
/// Hands out RTP/RTCP port pairs from a range on one local address, round robin so a port just released is not
/// reused at once (late packets of the old call would land in the new one). Ports taken by other processes are
/// skipped. Thread-safe.
/// </summary>
public sealed class RtpPortAllocator(IPAddress address, RtpPortRange range)
{
    private readonly HashSet<int> _inUse = [];
    private readonly Lock _gate = new();
    private int _next;

    public IPAddress Address { get; } = address;
    public RtpPortRange Range { get; } = range;

    public int InUse
    {
        get { lock (_gate) return _inUse.Count; }
    }

    /// <summary>Binds a new socket pair; throws when every pair in the range is taken.</summary>
    public RtpSocket Open(TimeProvider? time = null)
    {
        lock (_gate)
        {
            for (var attempt = 0; attempt < Range.Pairs; attempt++)
            {
                var port = Range.First + 2 * ((_next + attempt) % Range.Pairs);
                if (_inUse.Contains(port)) continue;
                var socket = RtpSocket.TryBind(Address, port, this, time);
                if (socket is null) continue;
                _inUse.Add(port);
                _next = (_next + attempt + 1) % Range.Pairs;
                return socket;
            }
        }
        throw new InvalidOperationException($"No free RTP port pair in {Range.First}-{Range.Last} on {Address}.");
    }

    internal void Release(int port)
    {
        lock (_gate) _inUse.Remove(port);
    }

    internal static bool IsAddressInUse(SocketException e) =>
        e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied;
}
