using System.Net;
using System.Net.Sockets;
using System.Text;
using Routing.Domain;
using Routing.Integration.Tests.Infrastructure;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>The demo node with Demo Ltd's own PBX as a trunk at 127.0.0.2 (its calls go straight to support).</summary>
public sealed class TrunkNodeFixture : GatewayNodeFixture
{
    public const string PbxAddress = "127.0.0.2";

    protected override string Configure(string yaml) => yaml.Replace("  - id: demo\n",
        $"  - id: demo\n    trunks:\n      - {{ name: demo-pbx, address: {PbxAddress}, queue: support }}\n", StringComparison.Ordinal);
}

/// <summary>
/// Trunks known by source address (no digest): the client company's PBX overflowing its callers to the provider. Its
/// calls belong to its tenant whatever number they carry and skip the menu; it cannot deliver another tenant's calls;
/// the same INVITE from anywhere else is just a call to an unknown number.
/// </summary>
public sealed class TrunkTests(TrunkNodeFixture node) : IClassFixture<TrunkNodeFixture>
{
    [Fact]
    public async Task A_call_from_the_tenants_pbx_to_its_own_extension_goes_straight_into_the_trunks_queue()
    {
        var before = (await node.Host.Routing.GetQueueFigures(new QueueId("demo/support"))).Offered;
        // Nobody is logged in to support: the caller waits there (no menu, no digit), then hangs up.
        await using var pbx = SippProcess.Start(SipCalls.Caller(node.Gateway, "555", TimeSpan.FromSeconds(6), key: "1") with
        {
            LocalAddress = TrunkNodeFixture.PbxAddress,
        });
        Routing.Cluster.Facade.CallView? queued = null;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (queued is null && DateTime.UtcNow < until)
        {
            queued = (await node.Host.Routing.GetActiveCalls()).FirstOrDefault(c => c.Queue == "demo/support" && c.Caller != "");
            if (queued is null) await Task.Delay(100);
        }
        Assert.NotNull(queued);
        var call = await node.Host.Routing.GetCall(new CallId(queued.Id));
        Assert.Equal("demo", call.Tenant);
        Assert.Equal("1000", call.Number); // recorded as a call to the tenant's number
        Assert.Equal(["offered", "queued"], call.Events.Select(e => e.Type).Take(2));
        Assert.DoesNotContain(call.Events, e => e.Type is "menu" or "menu-choice");
        var run = await pbx.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0 && run.SuccessfulCalls == 1, run.Describe()); // answered at once, no digest asked
        Assert.Equal(before + 1, (await node.Host.Routing.GetQueueFigures(new QueueId("demo/support"))).Offered);
    }

    [Fact]
    public async Task The_pbx_may_not_deliver_another_tenants_calls()
    {
        var response = await Invite(TrunkNodeFixture.PbxAddress, "2000"); // ACME's number
        Assert.StartsWith("SIP/2.0 403", response);
        Assert.Contains("demo-pbx", response);
    }

    [Fact]
    public async Task The_same_invite_from_any_other_address_is_a_call_to_an_unknown_number()
    {
        var response = await Invite("127.0.0.1", "555");
        Assert.StartsWith("SIP/2.0 404", response);
    }

    /// <summary>Sends one INVITE from <paramref name="from"/> and returns the first final response (after 100 Trying).</summary>
    private async Task<string> Invite(string from, string number)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var sdp = $"v=0\r\no=pbx 1 1 IN IP4 {from}\r\ns=-\r\nc=IN IP4 {from}\r\nt=0 0\r\nm=audio {local.Port + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        var invite = $"INVITE sip:{number}@{node.Gateway.Address}:{node.Gateway.Port} SIP/2.0\r\n" +
                     $"Via: SIP/2.0/UDP {from}:{local.Port};branch=z9hG4bK-{Guid.NewGuid():N}\r\n" +
                     "Max-Forwards: 70\r\n" +
                     $"From: <sip:caller@{from}>;tag=t{Random.Shared.Next()}\r\n" +
                     $"To: <sip:{number}@{node.Gateway.Address}>\r\n" +
                     $"Call-ID: trunk-{Guid.NewGuid():N}\r\nCSeq: 1 INVITE\r\n" +
                     $"Contact: <sip:caller@{from}:{local.Port}>\r\nContent-Type: application/sdp\r\n" +
                     $"Content-Length: {Encoding.ASCII.GetByteCount(sdp)}\r\n\r\n{sdp}";
        var bytes = Encoding.ASCII.GetBytes(invite);
        await udp.SendAsync(bytes, bytes.Length, node.Gateway);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var r = Encoding.ASCII.GetString((await udp.ReceiveAsync(timeout.Token)).Buffer);
            if (!r.StartsWith("SIP/2.0 1", StringComparison.Ordinal)) return r;
        }
    }
}
