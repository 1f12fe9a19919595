using System.Net;
using System.Net.Sockets;
using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;
using Xunit;

namespace Routing.Sip.Tests.Transport;

public sealed class UdpSipTransportTests : IDisposable
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);
    private static readonly SipTimers Fast = new() { T1 = TimeSpan.FromMilliseconds(50), T2 = TimeSpan.FromMilliseconds(400), T4 = TimeSpan.FromMilliseconds(500) };

    // For a test that counts datagrams exactly: no retransmission can fire while it runs, however slow the machine
    // (with Fast, a round trip over 50 ms on a loaded CI box made the client resend and the server answer twice).
    private static readonly SipTimers NoRetransmission = new() { T1 = TimeSpan.FromSeconds(30), T2 = TimeSpan.FromSeconds(30), T4 = TimeSpan.FromSeconds(30) };
    private readonly List<IDisposable> _owned = new();

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    private (UdpSipTransport Transport, SipTransactionLayer Layer, ConcurrentUser User) Endpoint(
        Func<ISipTransport, ISipTransport>? wrap = null, IPEndPoint? bind = null, SipTimers? timers = null)
    {
        var transport = Own(new UdpSipTransport(bind ?? AnyLoopbackPort));
        var user = new ConcurrentUser { Answer = (tx, r) => tx.Respond(tx.CreateResponse(r.Method == SipMethod.Invite ? 180 : 200)) };
        var layer = Own(new SipTransactionLayer(wrap?.Invoke(transport) ?? transport, user, timers ?? Fast));
        transport.Start();
        return (transport, layer, user);
    }

    private Socket RawClient()
    {
        var socket = Own(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        socket.ReceiveBufferSize = 1 << 20;
        socket.Bind(AnyLoopbackPort);
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, double seconds = 5)
    {
        var buffer = new byte[65_536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return buffer[..n];
    }

    private static byte[] RawOptions(IPEndPoint client, IPEndPoint server, string branch) => Encoding.ASCII.GetBytes(
        $"OPTIONS sip:{server} SIP/2.0\r\nVia: SIP/2.0/UDP {client};branch={branch};rport\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:probe@{client}>;tag=p1\r\nTo: <sip:{server}>\r\nCall-ID: {branch}@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

    [Fact]
    public void Bound_to_port_zero_it_reports_the_real_port_and_advertises_loopback_for_any()
    {
        using var onAny = new UdpSipTransport(new IPEndPoint(IPAddress.Any, 0));
        Assert.NotEqual(0, onAny.LocalEndPoint.Port);
        Assert.Equal(IPAddress.Loopback, onAny.AdvertisedAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, onAny.LocalEndPoint.Port), onAny.AdvertisedEndPoint);

        using var advertised = new UdpSipTransport(new IPEndPoint(IPAddress.Any, 0), IPAddress.Parse("192.0.2.10"));
        Assert.Equal("192.0.2.10", ((ISipTransport)advertised).AdvertisedEndPoint.Address.ToString());

        using var onLoopback = new UdpSipTransport(AnyLoopbackPort);
        Assert.Equal(onLoopback.LocalEndPoint, onLoopback.AdvertisedEndPoint);
    }

    [Fact]
    public async Task Options_between_two_real_sockets_is_answered_and_the_via_carries_the_advertised_address()
    {
        var server = Endpoint(timers: NoRetransmission);
        var client = Endpoint(bind: new IPEndPoint(IPAddress.Any, 0), timers: NoRetransmission);

        var tx = client.Layer.SendRequest(Requests.Options(server.Transport.LocalEndPoint, "options-1"), server.Transport.LocalEndPoint);

        var response = await Eventually.Value(() => client.User.ResponsesTo(tx).FirstOrDefault(), "200 to OPTIONS");
        Assert.Equal(200, response.StatusCode);
        var (_, request) = Assert.Single(server.User.Requests);
        Assert.Equal($"127.0.0.1:{client.Transport.LocalEndPoint.Port}", request.TopVia!.SentBy);
        Assert.Null(request.TopVia.Received); // the advertised address is the one the datagram came from
        Assert.Equal(1, server.Transport.MessagesSent);
        Assert.Equal(1, client.Transport.DatagramsReceived);
    }

    [Fact]
    public async Task A_lost_response_is_recovered_by_the_client_retransmitting_over_udp()
    {
        LossyTransport? lossy = null;
        var server = Endpoint(t => lossy = new LossyTransport(t, m => m is SipResponse && lossy!.Dropped == 0));
        var client = Endpoint();

        var tx = client.Layer.SendRequest(Requests.Options(server.Transport.LocalEndPoint, "lossy-1"), server.Transport.LocalEndPoint);

        var response = await Eventually.Value(() => client.User.ResponsesTo(tx).FirstOrDefault(), "200 after retransmission");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(1, lossy!.Dropped);
        Assert.Single(server.User.Requests); // the retransmission was absorbed by the server transaction
        Assert.True(client.Transport.MessagesSent >= 2, "the OPTIONS was sent again (Timer E)");
    }

    [Fact]
    public async Task Thousands_of_garbage_datagrams_interleaved_with_options_do_not_stop_any_real_one_being_answered()
    {
        var server = Endpoint();
        var raw = RawClient();
        var clientEnd = (IPEndPoint)raw.LocalEndPoint!;
        var serverEnd = server.Transport.LocalEndPoint;
        var random = new Random(4475);
        const int rounds = 100, garbagePerRound = 40;
        var answered = 0;

        for (var round = 0; round < rounds; round++)
        {
            for (var g = 0; g < garbagePerRound; g++) raw.SendTo(Garbage(random, clientEnd, serverEnd), serverEnd);
            var branch = $"z9hG4bK-flood-{round}";
            raw.SendTo(RawOptions(clientEnd, serverEnd, branch), serverEnd);
            while (true) // 400s to the malformed requests come first; wait for this round's 200
            {
                var reply = SipParser.ParseDatagram(await ReceiveAsync(raw));
                if (reply.Response is { StatusCode: 200 } ok && ok.TopVia?.Branch == branch)
                {
                    answered++;
                    break;
                }
            }
        }

        Assert.Equal(rounds, answered);
        Assert.Equal(rounds, server.User.Requests.Count);
        Assert.True(server.Transport.DatagramsRejected >= rounds * garbagePerRound / 2,
            $"most garbage was rejected (rejected {server.Transport.DatagramsRejected})");
    }

    /// <summary>Random bytes, truncated and corrupted SIP, oversize headers, bad responses, empty datagrams.</summary>
    private static byte[] Garbage(Random random, IPEndPoint client, IPEndPoint server)
    {
        var real = RawOptions(client, server, "z9hG4bK-garbage-" + random.Next());
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(1, 1200)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return real[..random.Next(1, real.Length - 30)];
            case 2:
                var corrupted = real.ToArray();
                for (var i = 0; i < 5; i++) corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
                return corrupted;
            case 3:
                return Encoding.ASCII.GetBytes($"INVITE sip:x@{server} SIP/2.0\r\nVia: SIP/2.0/UDP {client};branch=z9hG4bKbad\r\n" +
                                               $"CSeq: not-a-number\r\nContent-Length: 99999\r\n\r\n");
            case 4:
                return Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n");
            default:
                return Encoding.ASCII.GetBytes("OPTIONS sip:a SIP/2.0\r\nX: " + new string('x', random.Next(100, 1400)) + "\r\n\r\n");
        }
    }

    [Fact]
    public async Task A_double_crlf_ping_is_answered_with_crlf_and_a_single_crlf_keep_alive_is_ignored()
    {
        var server = Endpoint();
        var raw = RawClient();
        var serverEnd = server.Transport.LocalEndPoint;

        raw.SendTo("\r\n"u8.ToArray(), serverEnd);
        raw.SendTo("\r\n\r\n"u8.ToArray(), serverEnd);
        Assert.Equal("\r\n"u8.ToArray(), await ReceiveAsync(raw));

        // If the lone CRLF had been answered, its pong would arrive before this 200.
        raw.SendTo(RawOptions((IPEndPoint)raw.LocalEndPoint!, serverEnd, "z9hG4bK-after-ping"), serverEnd);
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(await ReceiveAsync(raw)));
        Assert.Equal(2, server.Transport.KeepAlivesReceived);
        Assert.Equal(0, server.Transport.DatagramsRejected);
    }

    [Fact]
    public async Task Sending_to_a_closed_port_does_not_stop_the_receive_loop()
    {
        var server = Endpoint();
        var client = Endpoint();
        IPEndPoint closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(AnyLoopbackPort);
            closed = (IPEndPoint)probe.LocalEndPoint!;
        }

        // The ICMP port-unreachable comes back to the client socket.
        for (var i = 0; i < 3; i++)
            Assert.True(client.Transport.Send(Requests.Options(closed, "to-nowhere-" + i), closed));
        var tx = client.Layer.SendRequest(Requests.Options(server.Transport.LocalEndPoint, "after-icmp"), server.Transport.LocalEndPoint);

        var response = await Eventually.Value(() => client.User.ResponsesTo(tx).FirstOrDefault(), "200 after ICMP errors");
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task A_throwing_subscriber_does_not_stop_the_receive_loop()
    {
        var server = Endpoint();
        var failures = 0;
        server.Transport.HandlerFailed += _ => Interlocked.Increment(ref failures);
        var calls = 0;
        server.Transport.MessageReceived += (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("subscriber bug");
        };
        var raw = RawClient();
        var serverEnd = server.Transport.LocalEndPoint;

        raw.SendTo(RawOptions((IPEndPoint)raw.LocalEndPoint!, serverEnd, "z9hG4bK-one"), serverEnd);
        raw.SendTo(RawOptions((IPEndPoint)raw.LocalEndPoint!, serverEnd, "z9hG4bK-two"), serverEnd);

        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(await ReceiveAsync(raw)));
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(await ReceiveAsync(raw)));
        Assert.Equal(1, Volatile.Read(ref failures));
    }

    [Fact]
    public void Send_after_dispose_or_of_an_oversize_message_reports_failure()
    {
        var transport = new UdpSipTransport(AnyLoopbackPort);
        transport.Start();
        var big = Requests.Options(transport.LocalEndPoint, "big");
        big.Body = new byte[UdpSipTransport.MaxDatagramBytes];
        Assert.False(transport.Send(big, transport.LocalEndPoint));
        transport.Dispose();
        Assert.False(transport.Send(Requests.Options(transport.LocalEndPoint, "late"), transport.LocalEndPoint));
        Assert.Equal(2, transport.SendFailures);
    }
}
