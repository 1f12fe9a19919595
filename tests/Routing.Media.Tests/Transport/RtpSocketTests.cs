using System.Net;
using System.Net.Sockets;
using Routing.Media.Rtp;
using Routing.Media.Transport;
using Xunit;

namespace Routing.Media.Tests.Transport;

public class RtpSocketTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // A range of its own so parallel test classes never share ports.
    private static RtpPortAllocator NewAllocator(int first) => new(IPAddress.Loopback, new RtpPortRange(first, first + 199));

    [Fact]
    public async Task Real_packets_cross_loopback_and_the_answering_leg_latches_onto_their_source()
    {
        var allocator = NewAllocator(41000);
        using var caller = allocator.Open();
        using var gateway = allocator.Open();
        Assert.Equal(0, caller.LocalEndPoint.Port % 2);
        Assert.Equal(caller.LocalEndPoint.Port + 1, caller.RtcpEndPoint.Port);

        // The caller's SDP names a private address we cannot reach; only its packets tell where it really is.
        caller.SetRemote(gateway.LocalEndPoint);
        gateway.SetRemote(IPEndPoint.Parse("10.255.255.1:7078"));

        var sender = new RtpSender(0);
        Assert.True(await caller.SendAsync(sender.NextFrame(new byte[160])));
        var first = await gateway.ReceiveAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(caller.LocalEndPoint, first.From);
        Assert.Equal(sender.Ssrc, first.Packet.Ssrc);
        Assert.Equal(160, first.Packet.Payload.Length);
        Assert.True(gateway.Latch.IsLatched);
        Assert.Equal(caller.LocalEndPoint, gateway.Latch.RemoteEndPoint);

        // The gateway answers to the latched address, not the SDP one.
        var reply = new RtpSender(8);
        Assert.True(await gateway.SendAsync(reply.NextFrame(new byte[] { 0xD5, 0xD5 })));
        var back = await caller.ReceiveAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(reply.Ssrc, back.Packet.Ssrc);
        Assert.Equal(8, back.Packet.PayloadType);
        Assert.Equal(gateway.LocalEndPoint, back.From);
    }

    [Fact]
    public async Task Garbage_and_strangers_are_skipped()
    {
        var allocator = NewAllocator(41400);
        using var leg = allocator.Open();
        using var peer = allocator.Open();
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.SetRemote(leg.LocalEndPoint);

        var sender = new RtpSender(0);
        await peer.SendAsync(sender.NextFrame(new byte[160])); // latches
        await leg.ReceiveAsync().AsTask().WaitAsync(Timeout);

        await stranger.SendToAsync(new byte[] { 1, 2, 3 }, leg.LocalEndPoint); // not RTP
        await stranger.SendToAsync(new RtpSender(0).NextFrame(new byte[160]).ToArray(), leg.LocalEndPoint); // not our peer
        var marker = sender.NextFrame(new byte[] { 42 });
        await peer.SendAsync(marker);

        var received = await leg.ReceiveAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(marker.SequenceNumber, received.Packet.SequenceNumber);
        Assert.Equal(2, leg.PacketsIgnored);
    }

    [Fact]
    public async Task Rtcp_goes_to_the_port_above()
    {
        var allocator = NewAllocator(41800);
        using var a = allocator.Open();
        using var b = allocator.Open();
        a.SetRemote(b.LocalEndPoint);
        Assert.True(await a.SendRtcpAsync(new byte[] { 0x80, 203, 0, 1, 0, 0, 0, 1 }));
        var (packet, from) = await b.ReceiveRtcpAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(203, packet[1]);
        Assert.Equal(a.RtcpEndPoint, from);
    }

    [Fact]
    public void Ports_are_handed_out_in_pairs_round_robin_and_released_on_dispose()
    {
        var allocator = new RtpPortAllocator(IPAddress.Loopback, new RtpPortRange(42200, 42205)); // three pairs
        var a = allocator.Open();
        var b = allocator.Open();
        var c = allocator.Open();
        Assert.Equal([42200, 42202, 42204], new[] { a, b, c }.Select(s => s.LocalEndPoint.Port).Order());
        Assert.Throws<InvalidOperationException>(() => allocator.Open());
        b.Dispose();
        Assert.Equal(2, allocator.InUse);
        using var d = allocator.Open();
        Assert.Equal(b.LocalEndPoint.Port, d.LocalEndPoint.Port);
        a.Dispose();
        c.Dispose();
    }

    [Fact]
    public void Ports_taken_by_someone_else_are_skipped()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 42301)); // the RTCP port of the first pair
        var allocator = new RtpPortAllocator(IPAddress.Loopback, new RtpPortRange(42300, 42303));
        using var socket = allocator.Open();
        Assert.Equal(42302, socket.LocalEndPoint.Port);
    }

    [Fact]
    public void Port_ranges_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(20001, 20100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(20000, 20000));
        Assert.Equal(50, new RtpPortRange(20000, 20099).Pairs);
    }
}
