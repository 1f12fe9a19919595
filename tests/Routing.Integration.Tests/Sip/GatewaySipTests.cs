using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Routing.Integration.Tests.Infrastructure;
using Routing.Node;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>
/// One node with every role and the demo configuration (ring timeout 3 s, wrap-up 1 s so the tests need not wait
/// them out), SIP on a free loopback port; real sipp phones and callers talk to it.
/// </summary>
public class GatewayNodeFixture : IAsyncLifetime
{
    public const string DemoKey = "demo-tenant-key";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "routing-sip-tests-" + Guid.NewGuid().ToString("N"));
    private RoutingNodeHost? _host;

    /// <summary>Calls the gateway carries before it answers 503.</summary>
    protected virtual int MaxCalls => 2000;

    public RoutingNodeHost Host => _host ?? throw new InvalidOperationException("the node did not start");
    public IPEndPoint Gateway => Host.SipEndPoint ?? throw new InvalidOperationException("the node has no SIP end point");

    /// <summary>A fixture's change to the demo configuration (after the shorter timeouts).</summary>
    protected virtual string Configure(string yaml) => yaml;

    public async Task InitializeAsync()
    {
        var demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        var config = demo.Replace("ringTimeout: 20s", "ringTimeout: 3s", StringComparison.Ordinal)
            .Replace("wrapUp: 10s", "wrapUp: 1s", StringComparison.Ordinal);
        config = Configure(config);
        _host = await RoutingNodeHost.StartAsync(new RoutingNodeOptions
        {
            ConfigText = config,
            DataDir = _dataDir,
            Port = 0,
            Hostname = "127.0.0.1",
            HttpPort = 0,
            HttpHost = "127.0.0.1",
            SipPort = 0,
            SipHost = "127.0.0.1",
            MaxCalls = MaxCalls,
            StartTimeout = TimeSpan.FromSeconds(60),
            HoconText = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off",
            HttpLogLevel = LogLevel.Warning,
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite file still held open: the OS cleans the temp dir.
        }
    }

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = Host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", DemoKey);
        return client;
    }

    /// <summary>Logs the operator in and makes them ready (the API, whatever registration does by itself).</summary>
    public async Task ReadyAsync(string id)
    {
        using var api = Client();
        var login = await api.PostAsync($"/api/operators/{id}/login", null);
        if (login.StatusCode != HttpStatusCode.Conflict) login.EnsureSuccessStatusCode(); // 409: registering logged them in already
        var ready = await api.PostAsync($"/api/operators/{id}/ready", null);
        Assert.True(ready.IsSuccessStatusCode, $"operator {id} could not be made ready: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
    }

    /// <summary>Logs the operator out, so the next test starts without them; already logged out is fine.</summary>
    public async Task LogOutAsync(string id)
    {
        using var api = Client();
        await api.PostAsync($"/api/operators/{id}/logout", null);
    }

    public async Task<int> AbandonedAsync(string queue)
    {
        using var api = Client();
        var figures = await api.GetFromJsonAsync<JsonElement>($"/api/tenants/demo/queues/{queue}/figures");
        return figures.GetProperty("abandoned").GetInt32();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayNodeCollection : ICollectionFixture<GatewayNodeFixture>
{
    public const string Name = "one node with the SIP gateway";
}

/// <summary>
/// The gateway with real SIP peers: sipp operators' phones register with digest auth and answer; sipp callers dial
/// the demo number 1000, press a key as RFC 4733 events, wait in the queue, are bridged, and talk. RTP is checked on
/// the wire (<see cref="RtpTap"/>): audio from the caller reaches the operator, and the operator's reaches the caller.
/// </summary>
[Collection(GatewayNodeCollection.Name)]
public sealed class GatewaySipTests(GatewayNodeFixture node) : IAsyncLifetime
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly string[] Operators = ["2001", "2002", "2003", "2004"];

    public async Task InitializeAsync()
    {
        foreach (var id in Operators) await node.LogOutAsync(id);
    }

    public async Task DisposeAsync()
    {
        foreach (var id in Operators) await node.LogOutAsync(id);
    }

    [Fact]
    public async Task An_operator_registered_with_digest_auth_answers_a_caller_who_pressed_1_and_audio_flows_both_ways()
    {
        using var tap = RtpTap.Open();
        await using var phone = await RegisteredAsync("2001", "op2001pw", "operator_answer.xml");
        await node.ReadyAsync("2001");

        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(8), key: "1"));
        var call = await caller.WaitAsync(CallTimeout);
        var phoneRun = await phone.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1 && call.FailedCalls == 0, call.Describe());
        Assert.True(phoneRun.Received("ACK ") >= 1 && phoneRun.Received("BYE ") >= 1,
            "the operator's phone was not called, answered and hung up: " + phoneRun.Describe());
        var callerToGateway = tap.Packets(caller.MediaPort, null);
        var gatewayToPhone = tap.Packets(null, phone.MediaPort);
        var phoneToGateway = tap.Packets(phone.MediaPort, null);
        var gatewayToCaller = tap.Packets(null, caller.MediaPort);
        Assert.True(callerToGateway > 0 && gatewayToPhone > 0 && phoneToGateway > 0 && gatewayToCaller > 0,
            $"RTP caller->gw {callerToGateway}, gw->phone {gatewayToPhone}, phone->gw {phoneToGateway}, gw->caller {gatewayToCaller}; {tap.Describe()}");
        // The phone echoes what it hears: the caller's audio relayed to the phone comes back and is relayed to the caller.
        Assert.True(tap.SamePayloads(caller.MediaPort, null, null, phone.MediaPort) > 10,
            "the caller's audio did not reach the operator's phone unchanged: " + tap.Describe());
        Assert.True(tap.SamePayloads(phone.MediaPort, null, null, caller.MediaPort) > 10,
            "the operator's audio did not reach the caller unchanged: " + tap.Describe());
    }

    [Fact]
    public async Task A_caller_who_hangs_up_while_queued_is_counted_abandoned()
    {
        var before = await node.AbandonedAsync("support");

        // Support (key 2) has nobody logged in: the caller waits, then hangs up.
        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(4), key: "2"));
        var call = await caller.WaitAsync(CallTimeout);

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe());
        var abandoned = before;
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until && (abandoned = await node.AbandonedAsync("support")) == before) await Task.Delay(200);
        Assert.Equal(before + 1, abandoned);
    }

    [Fact]
    public async Task A_caller_who_cancels_before_the_answer_leaves_no_call_behind()
    {
        await using var caller = SippProcess.Start(new SippOptions { Scenario = "caller_cancel.xml", Remote = node.Gateway, Service = "1000" });
        var call = await caller.WaitAsync(CallTimeout);
        Assert.True(call.ExitCode == 0 && call.FailedCalls == 0, call.Describe());
    }

    [Fact]
    public async Task When_an_operator_does_not_answer_the_call_goes_to_the_other_operator()
    {
        using var tap = RtpTap.Open();
        await using var silent = await RegisteredAsync("2001", "op2001pw", "operator_no_answer.xml");
        await node.ReadyAsync("2001");
        await using var answering = await RegisteredAsync("2002", "op2002pw", "operator_answer.xml");

        // Only 2001 is ready when the call comes: it rings there first; 2002 becomes ready while it rings.
        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(12), key: "1"));
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until && silent.Snapshot().Received("INVITE ") == 0) await Task.Delay(100);
        await node.ReadyAsync("2002");

        var call = await caller.WaitAsync(CallTimeout);
        var silentRun = await silent.StopAsync(TimeSpan.FromSeconds(15));
        var answeringRun = await answering.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe());
        Assert.True(silentRun.Received("INVITE ") >= 1 && silentRun.Received("CANCEL ") >= 1,
            "2001's phone should have rung and been cancelled at the ring timeout: " + silentRun.Describe());
        Assert.True(answeringRun.Received("ACK ") >= 1, "2002's phone should have answered: " + answeringRun.Describe());
        Assert.True(tap.SamePayloads(caller.MediaPort, null, null, answering.MediaPort) > 10,
            "the caller was not bridged to 2002: " + tap.Describe());
    }

    [Fact]
    public async Task An_operator_transfers_a_caller_blind_with_refer_to_another_queue_where_it_waits_again()
    {
        // Boris takes the sales call and REFERs it to support, where nobody is ready: the call waits there.
        await using var boris = await RegisteredAsync("2002", "op2002pw", "operator_refer.xml",
            new Dictionary<string, string> { ["refer_to"] = $"sip:support@{node.Gateway.Address}:{node.Gateway.Port}" });
        await node.ReadyAsync("2002");
        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(10), key: "1"));

        Routing.Cluster.Facade.CallView? transferred = null;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (transferred is null && DateTime.UtcNow < until)
        {
            foreach (var c in await node.Host.Routing.GetActiveCalls())
            {
                var view = await node.Host.Routing.GetCall(new Routing.Domain.CallId(c.Id));
                if (view.Events.Any(e => e.Type == "transferred") && view.Queue == "demo/support" && view.State == "queued") transferred = view;
            }
            if (transferred is null) await Task.Delay(200);
        }
        var phoneRun = await boris.StopAsync(TimeSpan.FromSeconds(15));
        Assert.True(transferred is not null, "no call was transferred into demo/support: " + phoneRun.Describe());
        var types = transferred.Events.Select(e => e.Type).ToList();
        Assert.True(types.IndexOf("connected") < types.IndexOf("transferred") && types.LastIndexOf("queued") > types.IndexOf("transferred"), string.Join(",", types));
        Assert.Contains(transferred.Events, e => e.Type == "transferred" && e.Description.Contains("support", StringComparison.Ordinal) && e.Description.Contains("2002", StringComparison.Ordinal));
        Assert.True(phoneRun.Received("BYE ") >= 1, "the operator's leg was not ended after the transfer: " + phoneRun.Describe());

        var call = await caller.WaitAsync(CallTimeout);
        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe()); // the caller stayed on the line throughout
    }

    [Fact]
    public async Task An_operator_transfers_a_caller_with_refer_to_a_second_line_operator_who_alone_gets_the_call()
    {
        // Boris answers a sales call and hands it to David (2nd line, no sales skill, tier 2): David's phone rings.
        await using var david = await RegisteredAsync("2004", "op2004pw", "operator_answer.xml");
        await node.ReadyAsync("2004");
        await using var boris = await RegisteredAsync("2002", "op2002pw", "operator_refer.xml",
            new Dictionary<string, string> { ["refer_to"] = $"sip:2004@{node.Gateway.Address}:{node.Gateway.Port}" });
        await node.ReadyAsync("2002");
        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(10), key: "1"));

        var call = await caller.WaitAsync(CallTimeout);
        var borisRun = await boris.StopAsync(TimeSpan.FromSeconds(15));
        var davidRun = await david.StopAsync(TimeSpan.FromSeconds(15));
        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe());
        Assert.True(borisRun.Received("BYE ") >= 1, "Boris's leg did not end after the transfer: " + borisRun.Describe());
        Assert.True(davidRun.Received("ACK ") >= 1, "David's phone was not connected: " + davidRun.Describe());

        await Eventually.Holds(async () =>
        {
            var david2004 = await node.Host.Routing.GetOperator(new Routing.Domain.OperatorId("2004"));
            Assert.True(david2004.CallsHandled >= 1, "David handled no call");
        });
    }

    [Fact]
    public async Task A_flood_of_garbage_datagrams_does_not_stop_a_good_call_and_a_malformed_request_gets_400()
    {
        await using var phone = await RegisteredAsync("2001", "op2001pw", "operator_answer.xml");
        await node.ReadyAsync("2001");
        var before = MalformedCount(await Scrape());

        // About 5,000 datagrams/s for the whole call: random bytes, and SIP-looking junk (a port scanner, a broken
        // client). Every one must be dropped or refused without costing the good call anything.
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var flooder = Task.Run(async () =>
        {
            using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var random = new Random(4475);
            var junk = new byte[700];
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 50; i++)
                {
                    int length;
                    if (i % 2 == 0)
                    {
                        length = random.Next(1, junk.Length);
                        random.NextBytes(junk.AsSpan(0, length));
                    }
                    else
                    {
                        var text = System.Text.Encoding.ASCII.GetBytes($"INVITE sip:1000@x SIP/2.0\r\nVia: {random.Next()}\r\nContent-Length: 99999\r\n\r\n");
                        text.CopyTo(junk, 0);
                        length = text.Length;
                    }
                    await udp.SendAsync(junk.AsMemory(0, length), node.Gateway);
                    Interlocked.Increment(ref sent);
                }
                await Task.Delay(10);
            }
        });
        try
        {
            await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(6), key: "1"));
            var call = await caller.WaitAsync(CallTimeout);
            Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1 && call.FailedCalls == 0, call.Describe());
            var phoneRun = await phone.StopAsync(TimeSpan.FromSeconds(15));
            Assert.True(phoneRun.Received("ACK ") >= 1 && phoneRun.Received("BYE ") >= 1, "the operator was not connected during the flood: " + phoneRun.Describe());

            // A request that is SIP enough to answer, but broken (no Call-ID, no CSeq), gets 400 with its Via.
            using var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
            var bad = System.Text.Encoding.ASCII.GetBytes($"OPTIONS sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-bad1\r\n" +
                                                         "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\nContent-Length: 0\r\n\r\n");
            await probe.SendAsync(bad, bad.Length, node.Gateway);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var reply = System.Text.Encoding.ASCII.GetString((await probe.ReceiveAsync(wait.Token)).Buffer);
            Assert.StartsWith("SIP/2.0 400", reply);
        }
        finally
        {
            stop.Cancel();
            await flooder;
        }
        Assert.True(sent > 10_000, $"only {sent} datagrams were sent");
        var rejected = MalformedCount(await Scrape()) - before;
        // Loopback may drop some datagrams when the socket buffer is full; most must have been seen and refused.
        Assert.True(rejected > sent / 2, $"{rejected} of {sent} garbage datagrams counted as malformed");
    }

    private async Task<string> Scrape()
    {
        using var http = new HttpClient { BaseAddress = node.Host.HttpAddress };
        return await http.GetStringAsync("/metrics");
    }

    private static double MalformedCount(string scrape) =>
        scrape.Split('\n').Where(l => l.StartsWith("routing_sip_malformed_total", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Starts an operator's phone and waits until its REGISTER got its 200 (after the digest challenge).</summary>
    private async Task<SippProcess> RegisteredAsync(string id, string password, string answer, IReadOnlyDictionary<string, string>? keys = null)
    {
        var options = SipCalls.Operator(node.Gateway, id, password, answer, TimeSpan.FromMinutes(2));
        if (keys is not null) options = options with { Keys = keys };
        var phone = SippProcess.Start(options);
        var until = DateTime.UtcNow + Deadline;
        SippResult state;
        while ((state = phone.Snapshot()).Count("_200_Recv") == 0)
        {
            if (phone.HasExited || DateTime.UtcNow > until)
            {
                var result = await phone.WaitAsync(TimeSpan.FromSeconds(5));
                await phone.DisposeAsync();
                throw new Xunit.Sdk.XunitException($"operator {id} did not register: " + result.Describe());
            }
            await Task.Delay(100);
        }
        Assert.True(state.Count("_401_Recv") + state.Count("_407_Recv") >= 1, $"{id} registered without a digest challenge: " + state.Describe());
        return phone;
    }
}
