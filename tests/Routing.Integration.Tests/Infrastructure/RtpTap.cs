using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Routing.Integration.Tests.Infrastructure;

/// <summary>
/// Counts the RTP packets that really cross the loopback interface, per (source port → destination port), with a raw
/// IPv4/UDP socket (which sees a copy of every UDP datagram delivered on this host): "RTP flows both ways" is then a
/// fact about the wire, not about anybody's counters. Needs root or CAP_NET_RAW (the CI container runs as root);
/// without it, <see cref="Open"/> fails with that explanation.
/// </summary>
public sealed class RtpTap : IDisposable
{
    private readonly Socket _socket;
    private const int MaxPayloadsPerFlow = 20_000;
    private readonly ConcurrentDictionary<(int From, int To), long> _packets = new();
    private readonly ConcurrentDictionary<(int From, int To), HashSet<ulong>> _payloads = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private RtpTap(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    public static RtpTap Open()
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                "the RTP checks need a raw socket to see the packets on loopback: run the tests as root (or give dotnet " +
                $"CAP_NET_RAW). {e.SocketErrorCode}: {e.Message}", e);
        }
        return new RtpTap(socket);
    }

    /// <summary>RTP packets seen from <paramref name="fromPort"/> to <paramref name="toPort"/> (either may be null: any).</summary>
    public long Packets(int? fromPort, int? toPort) =>
        _packets.Where(kv => (fromPort is null || kv.Key.From == fromPort) && (toPort is null || kv.Key.To == toPort)).Sum(kv => kv.Value);

    /// <summary>
    /// How many distinct RTP payloads sent from <paramref name="fromA"/> to <paramref name="toA"/> were also seen from
    /// <paramref name="fromB"/> to <paramref name="toB"/>: audio relayed unchanged from one leg to the other.
    /// </summary>
    public int SamePayloads(int? fromA, int? toA, int? fromB, int? toB)
    {
        HashSet<ulong> Union(int? from, int? to)
        {
            var all = new HashSet<ulong>();
            foreach (var (key, set) in _payloads)
            {
                if ((from is null || key.From == from) && (to is null || key.To == to))
                {
                    lock (set) all.UnionWith(set);
                }
            }
            return all;
        }
        var a = Union(fromA, toA);
        a.IntersectWith(Union(fromB, toB));
        return a.Count;
    }

    /// <summary>Every flow seen, for a failing test's message.</summary>
    public string Describe() =>
        string.Join(", ", _packets.OrderBy(kv => kv.Key.From).Select(kv => $"{kv.Key.From}->{kv.Key.To}: {kv.Value}"));

    private async Task ReadAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Count(buffer.AsSpan(0, n));
        }
    }

    private void Count(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20 || ip[0] >> 4 != 4) return;
        var ihl = (ip[0] & 0x0F) * 4;
        if (ip.Length < ihl + 8 + 12) return;
        var udp = ip[ihl..];
        var from = udp[0] << 8 | udp[1];
        var to = udp[2] << 8 | udp[3];
        var payload = udp[8..];
        if (payload[0] >> 6 != 2) return; // RTP version 2
        var type = payload[1] & 0x7F;
        if (type is >= 72 and <= 76) return; // RTCP (RFC 5761)
        _packets.AddOrUpdate((from, to), 1, (_, c) => c + 1);
        var set = _payloads.GetOrAdd((from, to), _ => []);
        lock (set)
        {
            if (set.Count < MaxPayloadsPerFlow) set.Add(Fnv1a(payload[12..]));
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in data) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The reader ends on the disposed socket.
        }
        _stop.Dispose();
    }
}
