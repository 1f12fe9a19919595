using System.Net;
using System.Net.Sockets;

namespace Routing.Integration.Tests.Infrastructure;

/// <summary>
/// Loopback ports that are free right now for UDP and TCP alike (SIP listens on both), so a peer
/// process can be told to bind them. A port is tried by binding it, not guessed from a list.
/// </summary>
public static class FreePort
{
    // Above the gateway's default RTP range (20000-29999) and below the kernel's ephemeral ports (32768-60999): a
    // port handed to a node that is killed and restarted must still be free when it comes back, and a port in the
    // ephemeral range can be taken meanwhile by any outgoing connection (a failover run lost a node's restart so).
    private const int First = 30000, Last = 32767;
    private static int _next = First + Random.Shared.Next(0, 2000) / 4 * 4;

    /// <summary>A port free for both UDP and TCP on 127.0.0.1.</summary>
    public static int UdpAndTcp() => Find(count: 1, step: 1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive UDP (and TCP) ports that are all free, starting at an
    /// even port: sipp's media uses -mp and -mp+2 (and RTCP +1, +3).
    /// </summary>
    public static int Consecutive(int count) => Find(count, step: 2);

    private static int Find(int count, int step)
    {
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            var start = Interlocked.Add(ref _next, Math.Max(count, step) + step - 1) - Math.Max(count, step);
            if (start % step != 0) start += step - start % step;
            if (start + count > Last)
            {
                Interlocked.Exchange(ref _next, First);
                continue;
            }
            if (Enumerable.Range(start, count).All(IsFree)) return start;
        }
        throw new InvalidOperationException($"no {count} free consecutive loopback port(s) found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
