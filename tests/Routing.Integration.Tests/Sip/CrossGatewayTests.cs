using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Integration.Tests.Infrastructure;
using Routing.Node;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>
/// Two nodes in one cluster: A has every role (routing, api and a gateway the callers dial), B is a second gateway
/// only. Operators' phones register wherever they like (a home worker's phone on B, an office phone on A): the
/// cluster's contact directory tells A where each operator is registered.
/// </summary>
public sealed class TwoGatewaysFixture : IAsyncLifetime
{
    private readonly string _dirA = Path.Combine(Path.GetTempPath(), "routing-2gw-a-" + Guid.NewGuid().ToString("N"));
    private readonly string _dirB = Path.Combine(Path.GetTempPath(), "routing-2gw-b-" + Guid.NewGuid().ToString("N"));
    private RoutingNodeHost? _a, _b;

    public RoutingNodeHost A => _a ?? throw new InvalidOperationException("node A did not start");
    public RoutingNodeHost B => _b ?? throw new InvalidOperationException("node B did not start");
    public IPEndPoint GatewayA => A.SipEndPoint!;
    public IPEndPoint GatewayB => B.SipEndPoint!;

    public async Task InitializeAsync()
    {
        var demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        var config = demo.Replace("ringTimeout: 20s", "ringTimeout: 3s", StringComparison.Ordinal)
            .Replace("wrapUp: 10s", "wrapUp: 1s", StringComparison.Ordinal);
        var port = FreePort.UdpAndTcp();
        var seed = $"127.0.0.1:{port}";
        _a = await RoutingNodeHost.StartAsync(Options(config, _dirA) with { Port = port, Seeds = [seed] });
        _b = await RoutingNodeHost.StartAsync(Options(config, _dirB) with { Port = 0, Seeds = [seed], Roles = ["gateway"] });
    }

    private static RoutingNodeOptions Options(string config, string dir) => new()
    {
        ConfigText = config,
        DataDir = dir,
        Hostname = "127.0.0.1",
        HttpPort = 0,
        HttpHost = "127.0.0.1",
        SipPort = 0,
        SipHost = "127.0.0.1",
        StartTimeout = TimeSpan.FromSeconds(60),
        HoconText = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off",
        HttpLogLevel = LogLevel.Warning,
    };

    public async Task DisposeAsync()
    {
        if (_b is not null) await _b.DisposeAsync();
        if (_a is not null) await _a.DisposeAsync();
        foreach (var dir in new[] { _dirA, _dirB })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A SQLite file still held open: the OS cleans the temp dir.
            }
        }
    }

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = A.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", GatewayNodeFixture.DemoKey);
        return client;
    }

    public async Task ReadyAsync(string id)
    {
        using var api = Client();
        var login = await api.PostAsync($"/api/operators/{id}/login", null);
        if (login.StatusCode != HttpStatusCode.Conflict) login.EnsureSuccessStatusCode();
        var ready = await api.PostAsync($"/api/operators/{id}/ready", null);
        Assert.True(ready.IsSuccessStatusCode, $"operator {id} could not be made ready: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
    }

    public async Task LogOutAsync(string id)
    {
        using var api = Client();
        await api.PostAsync($"/api/operators/{id}/logout", null);
    }
}

[CollectionDefinition(Name)]
public sealed class TwoGatewaysCollection : ICollectionFixture<TwoGatewaysFixture>
{
    public const string Name = "two gateways in one cluster";
}

/// <summary>
/// A caller dials gateway A; the operator's phone registered on gateway B. A rings the operator through B (B keeps
/// the binding: only it can reach the phone through its NAT), B passes the signalling both ways, and the media flows
/// between the phone and A directly. Checked with real sipp peers and RTP on the wire.
/// </summary>
[Collection(TwoGatewaysCollection.Name)]
public sealed class CrossGatewayTests(TwoGatewaysFixture nodes) : IAsyncLifetime
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly string[] Operators = ["2001", "2002"];

    public async Task InitializeAsync()
    {
        foreach (var id in Operators) await nodes.LogOutAsync(id);
    }

    public async Task DisposeAsync()
    {
        foreach (var id in Operators) await nodes.LogOutAsync(id);
    }

    [Fact]
    public async Task A_caller_on_one_gateway_is_bridged_to_an_operator_whose_phone_registered_on_the_other_and_audio_flows_both_ways()
    {
        using var tap = RtpTap.Open();
        await using var phone = await RegisteredOnBAsync("2001", "op2001pw", "operator_answer.xml");
        await nodes.ReadyAsync("2001");

        await using var caller = SippProcess.Start(SipCalls.Caller(nodes.GatewayA, "1000", TimeSpan.FromSeconds(8), key: "1"));
        var call = await caller.WaitAsync(CallTimeout);
        // The caller's BYE reaches the phone through both gateways: wait for it before stopping the phone.
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until && (phone.Snapshot().Received("BYE ") == 0 || nodes.B.Gateway!.RelayedLegs > 0)) await Task.Delay(100);
        var phoneRun = await phone.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1 && call.FailedCalls == 0, call.Describe());
        Assert.True(phoneRun.Received("INVITE ") >= 1 && phoneRun.Received("ACK ") >= 1 && phoneRun.Received("BYE ") >= 1,
            "the operator's phone was not rung through gateway B, answered and hung up: " + phoneRun.Describe());
        Assert.True(tap.SamePayloads(caller.MediaPort, null, null, phone.MediaPort) > 10,
            "the caller's audio did not reach the operator's phone unchanged: " + tap.Describe());
        Assert.True(tap.SamePayloads(phone.MediaPort, null, null, caller.MediaPort) > 10,
            "the operator's audio did not reach the caller unchanged: " + tap.Describe());
        // The operator's entity counts the call once the call's end reaches it, after the BYE.
        await Eventually.Holds(async () =>
        {
            var op = await nodes.A.Routing.GetOperator(new Routing.Domain.OperatorId("2001"));
            Assert.True(op.CallsHandled >= 1, "operator 2001 handled no call");
        });
        Assert.Equal(0, nodes.B.Gateway!.RelayedLegs); // B forgot the relayed leg once both sides hung up
    }

    [Fact]
    public async Task An_operator_on_the_other_gateway_who_does_not_answer_is_cancelled_there_and_the_call_goes_to_an_operator_on_this_one()
    {
        await using var silent = await RegisteredOnBAsync("2001", "op2001pw", "operator_no_answer.xml");
        await nodes.ReadyAsync("2001");
        await using var answering = await RegisteredAsync(nodes.GatewayA, "2002", "op2002pw", "operator_answer.xml");

        await using var caller = SippProcess.Start(SipCalls.Caller(nodes.GatewayA, "1000", TimeSpan.FromSeconds(12), key: "1"));
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until && silent.Snapshot().Received("INVITE ") == 0) await Task.Delay(100);
        await nodes.ReadyAsync("2002");

        var call = await caller.WaitAsync(CallTimeout);
        var silentRun = await silent.StopAsync(TimeSpan.FromSeconds(15));
        var answeringRun = await answering.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe());
        Assert.True(silentRun.Received("INVITE ") >= 1 && silentRun.Received("CANCEL ") >= 1,
            "2001's phone on gateway B should have rung and been cancelled at the ring timeout: " + silentRun.Describe());
        Assert.True(answeringRun.Received("ACK ") >= 1, "2002's phone on gateway A should have answered: " + answeringRun.Describe());
        var op = await nodes.A.Routing.GetOperator(new Routing.Domain.OperatorId("2001"));
        Assert.Equal(Routing.Domain.Operators.OperatorState.NoAnswer, op.Reason); // not answering paused 2001, as on a single gateway
    }

    [Fact]
    public async Task A_relay_request_from_an_address_that_is_not_a_gateway_of_the_cluster_gets_403()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)socket.Client.LocalEndPoint!;
        var gw = nodes.GatewayB;
        var invite =
            $"INVITE sip:2001@{gw} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP {local};branch=z9hG4bK-forged-{Guid.NewGuid():N}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:intruder@{local}>;tag=forged\r\n" +
            $"To: <sip:2001@{gw}>\r\n" +
            $"Call-ID: forged-{Guid.NewGuid():N}@{local.Address}\r\n" +
            "CSeq: 1 INVITE\r\n" +
            $"Contact: <sip:intruder@{local}>\r\n" +
            $"{Routing.Gateway.SipGateway.RelayHeader}: akka.tcp://routing@127.0.0.1:1\r\n" +
            "Content-Length: 0\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(invite), gw);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string status;
        do
        {
            var reply = await socket.ReceiveAsync(cts.Token);
            status = Encoding.ASCII.GetString(reply.Buffer).Split("\r\n")[0];
        } while (status.StartsWith("SIP/2.0 1", StringComparison.Ordinal)); // 100 Trying first
        Assert.StartsWith("SIP/2.0 403", status);
        Assert.Equal(0, nodes.B.Gateway!.RelayedLegs);
    }

    private Task<SippProcess> RegisteredOnBAsync(string id, string password, string answer) => RegisteredAsync(nodes.GatewayB, id, password, answer, waitForA: true);

    /// <summary>Registers a sipp phone on <paramref name="gateway"/>; when it is B, waits until A's contact directory
    /// knows the operator is there (the replicated map reaches every gateway within moments).</summary>
    private async Task<SippProcess> RegisteredAsync(IPEndPoint gateway, string id, string password, string answer, bool waitForA = false)
    {
        var phone = SippProcess.Start(SipCalls.Operator(gateway, id, password, answer, TimeSpan.FromMinutes(2)));
        var until = DateTime.UtcNow + Deadline;
        while (phone.Snapshot().Count("_200_Recv") == 0 || (waitForA && nodes.A.Gateway!.Directory.Locate(id, nodes.A.Address.ToString()).Count == 0))
        {
            if (phone.HasExited || DateTime.UtcNow > until)
            {
                var result = await phone.WaitAsync(TimeSpan.FromSeconds(5));
                await phone.DisposeAsync();
                throw new Xunit.Sdk.XunitException($"operator {id} did not register on {gateway} (directory on A: {nodes.A.Gateway!.Directory}): " + result.Describe());
            }
            await Task.Delay(100);
        }
        return phone;
    }
}
