using System.Net;
using System.Net.Sockets;
using Routing.Media.Bridging;
using Routing.Media.Rtp;

namespace Routing.Media.Transport;

/// <summary>An RTP packet as received, with the address it came from.</summary>
public sealed record RtpDatagram(RtpPacket Packet, IPEndPoint From);

/// <summary>
/// The UDP sockets of one media leg: RTP on an even port and RTCP on the next. Sending goes to the peer learnt by
/// symmetric-RTP latching (<see cref="Latch"/>), initially the SDP address. Receiving skips datagrams that are not
/// RTP and packets from strangers once latched. One reader at a time; sends may come from any thread.
/// </summary>
public sealed class RtpSocket : IDisposable
{
    private const int MaxDatagram = 2048;
    private readonly Socket _rtp;
    private readonly Socket _rtcp;
    private readonly RtpPortAllocator? _owner;
    private readonly byte[] _receiveBuffer = new byte[MaxDatagram];
    private readonly byte[] _rtcpBuffer = new byte[MaxDatagram];
    private int _disposed;

    private RtpSocket(Socket rtp, Socket rtcp, RtpPortAllocator? owner, TimeProvider? time)
    {
        _rtp = rtp;
        _rtcp = rtcp;
        _owner = owner;
        Latch = new SymmetricRtpLatch(null, time);
        LocalEndPoint = (IPEndPoint)rtp.LocalEndPoint!;
        RtcpEndPoint = (IPEndPoint)rtcp.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public IPEndPoint RtcpEndPoint { get; }
    public SymmetricRtpLatch Latch { get; private set; }

    public long PacketsReceived { get; private set; }

    /// <summary>Datagrams dropped on receipt: not RTP, or from a source other than the latched one.</summary>
    public long PacketsIgnored { get; private set; }

    /// <summary>Sets the peer's address from SDP (after an offer/answer) and unlatches, so the next packet latches again.</summary>
    public void SetRemote(IPEndPoint? signalled) => Latch.Reset(signalled);

    /// <summary>Sends to the latched or signalled peer; false when there is none yet (e.g. c=0.0.0.0 hold).</summary>
    public async ValueTask<bool> SendAsync(RtpPacket packet, CancellationToken cancellationToken = default)
    {
        if (Latch.RemoteEndPoint is not { } remote) return false;
        await _rtp.SendToAsync(packet.ToArray(), SocketFlags.None, remote, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Sends at once from the caller's thread (a UDP send does not block): the media clock sends hundreds of frames
    /// per tick and must not queue continuations for each. False when there is no peer yet or the socket is closed.
    /// </summary>
    public bool Send(RtpPacket packet)
    {
        if (Latch.RemoteEndPoint is not { } remote || Volatile.Read(ref _disposed) != 0) return false;
        try
        {
            _rtp.SendTo(packet.ToArray(), SocketFlags.None, remote);
            PacketsSent++;
            return true;
        }
        catch (SocketException)
        {
            return false; // e.g. ICMP unreachable reported on this send: media is best effort
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Packets handed to the network by <see cref="Send"/>.</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Waits for the next RTP packet from an acceptable source.</summary>
    public async ValueTask<RtpDatagram> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _rtp.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, AnyEndPoint(), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue; // an ICMP port unreachable for an earlier send; not about this socket
            }
            var from = (IPEndPoint)result.RemoteEndPoint;
            var copy = _receiveBuffer.AsSpan(0, result.ReceivedBytes).ToArray();
            if (!RtpPacket.TryParse(copy, out var packet, out _) || !Latch.Accept(from))
            {
                PacketsIgnored++;
                continue;
            }
            PacketsReceived++;
            return new RtpDatagram(packet, from);
        }
    }

    /// <summary>Sends an RTCP compound packet to the peer's RTCP port (RTP port + 1).</summary>
    public async ValueTask<bool> SendRtcpAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
    {
        if (Latch.RemoteEndPoint is not { } remote) return false;
        await _rtcp.SendToAsync(packet, SocketFlags.None, new IPEndPoint(remote.Address, remote.Port + 1), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Waits for the next datagram on the RTCP port.</summary>
    public async ValueTask<(byte[] Packet, IPEndPoint From)> ReceiveRtcpAsync(CancellationToken cancellationToken = default)
    {
        var result = await _rtcp.ReceiveFromAsync(_rtcpBuffer, SocketFlags.None, AnyEndPoint(), cancellationToken).ConfigureAwait(false);
        return (_rtcpBuffer.AsSpan(0, result.ReceivedBytes).ToArray(), (IPEndPoint)result.RemoteEndPoint);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _rtp.Dispose();
        _rtcp.Dispose();
        _owner?.Release(LocalEndPoint.Port);
    }

    /// <summary>Binds a pair on exact ports; null when either is taken.</summary>
    internal static RtpSocket? TryBind(IPAddress address, int rtpPort, RtpPortAllocator? owner, TimeProvider? time)
    {
        var rtp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var rtcp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            rtp.Bind(new IPEndPoint(address, rtpPort));
            rtcp.Bind(new IPEndPoint(address, rtpPort + 1));
            return new RtpSocket(rtp, rtcp, owner, time);
        }
        catch (SocketException e) when (RtpPortAllocator.IsAddressInUse(e))
        {
            rtp.Dispose();
            rtcp.Dispose();
            return null;
        }
    }

    private EndPoint AnyEndPoint() =>
        new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
}
