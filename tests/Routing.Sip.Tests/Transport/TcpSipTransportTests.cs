using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;
using Xunit;

namespace Routing.Sip.Tests.Transport;

public sealed class TcpSipTransportTests : IDisposable
{
    private readonly List<IDisposable> _owned = new();

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    private TcpSipTransport Server(TimeSpan? idle = null, TimeProvider? time = null)
    {
        var t = Own(new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), idleTimeout: idle, time: time));
        t.Start();
        return t;
    }

    private Socket Phone(IPEndPoint server)
    {
        var s = Own(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        s.Connect(server);
        return s;
    }

    /// <summary>Reads one whole SIP message (or a pong) off a stream socket; null when the peer closed.</summary>
    private static async Task<SipParseResult?> ReadMessage(Socket socket, SipStreamFramer framer, double seconds = 5)
    {
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            if (framer.TryRead(out var result) == SipFrameStatus.Frame) return result;
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) return null;
            framer.Append(buffer.AsSpan(0, n));
        }
    }

    private static async Task<int> ReadUntilClosed(Socket socket, double seconds = 5)
    {
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var total = 0;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return total;
                total += n;
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return total;
        }
    }

    private static byte[] RawRegister(IPEndPoint phone, IPEndPoint server) => Encoding.ASCII.GetBytes(
        $"REGISTER sip:{server} SIP/2.0\r\nVia: SIP/2.0/TCP 10.1.1.1:5060;branch=z9hG4bKreg1;rport\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:2001@routing>;tag=ph\r\nTo: <sip:2001@routing>\r\nCall-ID: reg@phone\r\nCSeq: 1 REGISTER\r\n" +
        $"Contact: <sip:2001@10.1.1.1:5060;transport=tcp>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n");

    [Fact]
    public async Task A_request_to_a_phone_registered_over_tcp_goes_over_the_connection_its_register_came_in_on()
    {
        var gateway = Server();
        var user = new ConcurrentUser();
        var layer = Own(new SipTransactionLayer(gateway, user));
        // No digest here (SipRegistrarTests cover it): the TU records the source as SipRegistrar.Handle would get it.
        IPEndPoint? registeredFrom = null;
        user.Answer = (tx, r) =>
        {
            registeredFrom = tx.Remote;
            tx.Respond(tx.CreateResponse(200));
        };
        var phone = Phone(gateway.LocalEndPoint); // behind a NAT: it can be reached only over this connection
        var framer = new SipStreamFramer();

        phone.Send(RawRegister((IPEndPoint)phone.LocalEndPoint!, gateway.LocalEndPoint));
        var ok = await ReadMessage(phone, framer);
        Assert.Equal(200, ok!.Value.Response!.StatusCode);
        Assert.Equal((IPEndPoint)phone.LocalEndPoint!, registeredFrom);

        var options = SipRequest.Create(SipMethod.Options, SipUri.Parse("sip:2001@10.1.1.1:5060;transport=tcp"),
            SipUri.Parse("sip:gw@routing"), SipUri.Parse("sip:2001@routing"));
        layer.SendRequest(options, registeredFrom!);

        var arrived = await ReadMessage(phone, framer);
        Assert.Equal(SipMethod.Options, arrived!.Value.Request!.Method);
        Assert.Equal("TCP", arrived.Value.Request.TopVia!.Transport);
        Assert.Equal(0, gateway.ConnectionsOpened);
        Assert.Equal(1, gateway.ConnectionsAccepted);
        Assert.Equal(1, gateway.ConnectionCount);
    }

    [Fact]
    public async Task A_double_crlf_ping_on_a_connection_is_answered_with_crlf()
    {
        var gateway = Server();
        var phone = Phone(gateway.LocalEndPoint);

        phone.Send("\r\n\r\n"u8.ToArray());

        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var n = await phone.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        Assert.Equal("\r\n", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(1, gateway.KeepAlivesReceived);
    }

    [Fact]
    public async Task A_stream_that_cannot_be_framed_is_closed_and_the_transport_keeps_serving()
    {
        var gateway = Server();
        var user = new ConcurrentUser { Answer = (tx, _) => tx.Respond(tx.CreateResponse(200)) };
        Own(new SipTransactionLayer(gateway, user));
        var bad = Phone(gateway.LocalEndPoint);

        bad.Send(Encoding.ASCII.GetBytes("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 10.1.1.1;branch=z9hG4bKbad\r\nContent-Length: lots\r\n\r\n"));

        await ReadUntilClosed(bad);
        Assert.Equal(1, gateway.MessagesRejected);
        await Eventually.True(() => gateway.ConnectionCount == 0, "the broken connection leaves the table");

        var good = Phone(gateway.LocalEndPoint);
        good.Send(RawRegister((IPEndPoint)good.LocalEndPoint!, gateway.LocalEndPoint));
        var answer = await ReadMessage(good, new SipStreamFramer());
        Assert.Equal(200, answer!.Value.Response!.StatusCode);
    }

    [Fact]
    public async Task A_malformed_message_with_intact_framing_gets_400_on_its_connection()
    {
        var gateway = Server();
        Own(new SipTransactionLayer(gateway, new ConcurrentUser()));
        var phone = Phone(gateway.LocalEndPoint);

        phone.Send(Encoding.ASCII.GetBytes("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 10.1.1.1;branch=z9hG4bKm\r\n" +
                                           "From: <sip:a@b>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: m\r\nCSeq: nonsense\r\nContent-Length: 0\r\n\r\n"));

        // The answer echoes the broken CSeq, so it is checked as text rather than parsed.
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var n = await phone.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        Assert.StartsWith("SIP/2.0 400", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(1, gateway.ConnectionCount); // framing was intact: the connection stays
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gateway = Server(TimeSpan.FromSeconds(30), clock);
        var phone = Phone(gateway.LocalEndPoint);
        await Eventually.True(() => gateway.ConnectionCount == 1, "connection accepted");

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, gateway.ConnectionCount);
        clock.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(0, await ReadUntilClosed(phone));
        Assert.Equal(0, gateway.ConnectionCount);
    }

    [Fact]
    public async Task Send_to_an_endpoint_without_a_connection_connects_and_reuses_it()
    {
        var a = Server();
        var b = Server();
        var bUser = new ConcurrentUser { Answer = (tx, _) => tx.Respond(tx.CreateResponse(200)) };
        Own(new SipTransactionLayer(b, bUser));
        var aUser = new ConcurrentUser();
        var aLayer = Own(new SipTransactionLayer(a, aUser));

        for (var i = 0; i < 3; i++)
        {
            var tx = aLayer.SendRequest(Requests.Options(b.LocalEndPoint, "tcp-" + i), b.LocalEndPoint);
            var ok = await Eventually.Value(() => aUser.ResponsesTo(tx).FirstOrDefault(), "200 over TCP");
            Assert.Equal(200, ok.StatusCode);
        }
        Assert.Equal(1, a.ConnectionsOpened);
        Assert.Equal(1, b.ConnectionsAccepted);
        Assert.False(a.Send(Requests.Options(b.LocalEndPoint, "x"), new IPEndPoint(IPAddress.Loopback, ClosedPort())));
    }

    private static int ClosedPort()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }
}
