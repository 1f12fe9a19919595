using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Routing.Ctl;
using Routing.Integration.Tests.Cluster;
using Routing.Integration.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Routing.Integration.Tests.Ops;

/// <summary>
/// routingctl against a real cluster of processes (tools/cluster.sh: PostgreSQL, two routing nodes and the edge node
/// with the gateway and api roles), as an ops engineer uses it: every palette, JSON for scripts, the errors, and a
/// node made to leave while `cluster tail` watches. The CLI runs in-process (CtlApp, the same code as the tool) and,
/// for the preStop-style leave, as the real `routingctl` program.
/// </summary>
public sealed class RoutingCtlTests(RoutingCtlTests.CtlCluster fixture, ITestOutputHelper output) : IClassFixture<RoutingCtlTests.CtlCluster>
{
    private const string Key = "cluster-admin-key"; // the provider admin key of NodeLossConfig: the node's default command key

    private LocalCluster Cluster => fixture.Cluster;

    private sealed record Result(int Code, string Out, string Err)
    {
        public JsonNode Json => JsonNode.Parse(Out) ?? throw new InvalidOperationException("no JSON");
    }

    private async Task<Result> Ctl(int node, params string[] args) => await CtlAt(Cluster.CtlPort + node, Key, args);

    private async Task<Result> CtlAt(int port, string key, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CtlApp.RunAsync([$"127.0.0.1:{port}", "--key", key, .. args], o, e);
        output.WriteLine($"$ routingctl 127.0.0.1:{port} {string.Join(' ', args)}  -> {code}\n{o}{e}");
        return new Result(code, o.ToString(), e.ToString());
    }

    private HttpClient Api(string key)
    {
        var http = new HttpClient { BaseAddress = Cluster.Api, Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Fact]
    public async Task The_cluster_palette_shows_every_member_its_leader_and_a_converged_status()
    {
        await fixture.EnsureAllUp();
        var show = await Ctl(1, "cluster", "show", "--json");
        Assert.Equal(0, show.Code);
        var members = show.Json.AsArray().Select(m => m!).ToList();
        Assert.Equal(3, members.Count(m => m["status"]!.ToString() == "up"));
        Assert.Contains(members, m => m["address"]!.ToString() == Cluster.AkkaAddress(0) && m["roles"]!.ToString() == "api,gateway");
        Assert.Contains(members, m => m["address"]!.ToString() == Cluster.AkkaAddress(1) && m["self"]!.ToString() == "self");
        Assert.Single(members, m => m["leader"]!.ToString() == "leader");

        // Gossip convergence comes and goes for a moment after every change of the membership state (the seen-set
        // restarts with each new gossip version), so a settled cluster reports "yes" within a few gossip rounds.
        await Eventually.Holds(async () =>
        {
            var status = (await Ctl(0, "cluster", "status", "--json")).Json.AsArray().ToDictionary(r => r!["property"]!.ToString(), r => r!["value"]!.ToString());
            Assert.Equal(Cluster.AkkaAddress(0), status["node"]);
            Assert.Equal("up=3", status["members"]);
            Assert.Equal("yes", status["converged"]);
        });

        var leaders = (await Ctl(2, "cluster", "leader", "--json")).Json.AsArray().ToDictionary(r => r!["role"]!.ToString(), r => r!["leader"]!.ToString());
        Assert.Equal(members.Single(m => m["leader"]!.ToString() == "leader")["address"]!.ToString(), leaders["(cluster)"]);
        Assert.StartsWith("akka.tcp://routing@127.0.0.1:", leaders["routing"]);
        Assert.Equal(Cluster.AkkaAddress(0), leaders["gateway"]); // the only gateway node leads its role

        // A table for people: the same members, drawn.
        var table = await Ctl(0, "cluster", "show");
        Assert.Contains("members", table.Out);
        Assert.Contains(Cluster.AkkaAddress(2), table.Out);
    }

    [Fact]
    public async Task The_sharding_palette_and_the_actor_tree_show_where_entities_live()
    {
        await fixture.EnsureAllUp();
        using var admin = Api(Key);
        (await admin.PostAsync($"/api/operators/{NodeLossConfig.Operators[0]}/login", null)).EnsureSuccessStatusCode();

        var regions = (await Ctl(0, "cluster-sharding", "regions", "--json")).Json.AsArray().Select(r => r!["type"]!.ToString()).ToList();
        Assert.Equal(["call", "config", "operator", "queue", "router"], regions);
        // The edge node has no routing role: it only proxies.
        Assert.All((await Ctl(0, "cluster-sharding", "regions", "--json")).Json.AsArray(), r => Assert.Equal("proxy", r!["kind"]!.ToString()));

        var stats = (await Ctl(0, "cluster-sharding", "region-stats", "-r", "operator", "--json")).Json.AsArray().Select(r => r!).ToList();
        var nodes = stats.Where(r => r["node"]!.ToString() != "(total)").ToList();
        Assert.Equal([Cluster.AkkaAddress(1), Cluster.AkkaAddress(2)], nodes.Select(n => n["node"]!.ToString()).Order());
        Assert.Single(nodes, n => n["coordinator"]!.ToString() == "coordinator");
        var total = stats.Single(r => r["node"]!.ToString() == "(total)");
        Assert.True(int.Parse(total["entities"]!.ToString()) >= 1, "the logged-in operator is a live entity");

        var shards = (await Ctl(1, "cluster-sharding", "shard-stats", "--region", "operator", "--json")).Json.AsArray().Select(r => r!).ToList();
        // Each shard once, on a routing node; entities are live (other tests wake operators meanwhile, so no exact sum).
        Assert.NotEmpty(shards);
        Assert.Equal(shards.Count, shards.Select(s => s["shard"]!.ToString()).Distinct().Count());
        Assert.True(shards.Sum(s => int.Parse(s["entities"]!.ToString())) >= 1);
        Assert.All(shards, s => Assert.Contains(s["node"]!.ToString(), new[] { Cluster.AkkaAddress(1), Cluster.AkkaAddress(2) }));

        var wrong = await Ctl(0, "cluster-sharding", "region-stats", "-r", "opertor");
        Assert.Equal(CtlApp.ExitFailed, wrong.Code);
        Assert.Contains("did you mean 'operator'", wrong.Err);

        var tree = await Ctl(1, "actor", "hierarchy", "-d", "2");
        Assert.Equal(0, tree.Code);
        Assert.Contains("/user", tree.Out);
        Assert.Contains("/system", tree.Out);
        Assert.Contains("  sharding (", tree.Out);
        Assert.Contains("    operator", tree.Out);
    }

    [Fact]
    public async Task The_contact_centre_palette_shows_a_waiting_call_its_queue_its_timeline_and_the_operators()
    {
        await fixture.EnsureAllUp();
        using var tenant = Api("cc-tenant-key");
        var op = NodeLossConfig.Operators[1];
        (await tenant.PostAsync($"/api/operators/{op}/login", null)).EnsureSuccessStatusCode();
        (await tenant.PostAsync($"/api/operators/{op}/not-ready", JsonContent.Create(new { reason = "briefing" }))).EnsureSuccessStatusCode();
        var offered = await tenant.PostAsJsonAsync("/api/calls", new { number = NodeLossConfig.Number, caller = "+4420700" });
        offered.EnsureSuccessStatusCode();
        var call = (await offered.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
        try
        {
            var queue = $"{NodeLossConfig.Tenant}/{NodeLossConfig.QueueId}";
            JsonNode waiting = new JsonArray();
            await Eventually.Holds(async () =>
            {
                var show = await Ctl(0, "queue", "show", queue, "--json");
                Assert.Equal(0, show.Code);
                waiting = show.Json["waiting calls"]!;
                Assert.Contains(waiting.AsArray(), w => w!["call"]!.ToString() == call);
            });
            var mine = waiting.AsArray().Single(w => w!["call"]!.ToString() == call)!;
            Assert.Equal(waiting.AsArray().Count.ToString(), mine["position"]!.ToString()); // the newest call is last in line

            var active = (await Ctl(1, "call", "list", "--active", "--json")).Json.AsArray();
            var listed = active.Single(c => c!["call"]!.ToString() == call)!;
            Assert.Equal("queued", listed["state"]!.ToString());
            Assert.Equal(queue, listed["queue"]!.ToString());

            var timeline = (await Ctl(2, "call", "show", call, "--json")).Json["timeline"]!.AsArray().Select(e => e!["event"]!.ToString()).ToList();
            Assert.Equal("offered", timeline[0]);
            Assert.Contains("queued", timeline);

            var tenants = (await Ctl(0, "tenant", "list", "--json")).Json.AsArray();
            var cc = tenants.Single(t => t!["tenant"]!.ToString() == NodeLossConfig.Tenant)!;
            Assert.True(int.Parse(cc["waiting"]!.ToString()) >= 1);
            Assert.Equal(NodeLossConfig.Number, cc["numbers"]!.ToString());

            var queues = (await Ctl(0, "queue", "list", "-t", NodeLossConfig.Tenant, "--json")).Json.AsArray();
            Assert.Equal(queue, Assert.Single(queues)!["queue"]!.ToString());

            var notReady = (await Ctl(0, "operator", "list", "-t", NodeLossConfig.Tenant, "--state", "not-ready", "--json")).Json.AsArray();
            Assert.Contains(notReady, o => o!["operator"]!.ToString() == op && o["reason"]!.ToString() == "briefing");
            Assert.All(notReady, o => Assert.Equal("not-ready", o!["state"]!.ToString()));

            var detail = (await Ctl(0, "operator", "show", op, "--json")).Json.AsArray().ToDictionary(r => r!["property"]!.ToString(), r => r!["value"]!.ToString());
            Assert.Equal("not-ready", detail["state"]);
            Assert.Equal(NodeLossConfig.Tenant, detail["tenants"]);

            var badState = await Ctl(0, "operator", "list", "--state", "redy");
            Assert.Equal(CtlApp.ExitFailed, badState.Code);
            Assert.Contains("did you mean 'ready'", badState.Err);
            var badCall = await Ctl(0, "call", "show", $"{NodeLossConfig.Tenant}/nosuchcall");
            Assert.Equal(CtlApp.ExitFailed, badCall.Code);
            Assert.Contains("no call", badCall.Err);
        }
        finally
        {
            await tenant.PostAsJsonAsync($"/api/calls/{call}/hangup", new { side = "caller" });
            await tenant.PostAsync($"/api/operators/{op}/logout", null);
        }
    }

    [Fact]
    public async Task Mistakes_get_clear_errors_and_their_own_exit_codes()
    {
        await fixture.EnsureAllUp();
        var typo = await Ctl(0, "clustr", "show");
        Assert.Equal(CtlApp.ExitUsage, typo.Code);
        Assert.Contains("did you mean 'cluster'", typo.Err);
        var sub = await Ctl(0, "queue", "lst");
        Assert.Equal(CtlApp.ExitUsage, sub.Code);
        Assert.Contains("did you mean 'queue list'", sub.Err);
        var missing = await Ctl(0, "cluster-sharding", "region-stats");
        Assert.Equal(CtlApp.ExitUsage, missing.Code);
        Assert.Contains("-r|--region <type>", missing.Err);

        var badKey = await CtlAt(Cluster.CtlPort, "not-the-key", "cluster", "show");
        Assert.Equal(CtlApp.ExitUnreachable, badKey.Code);
        Assert.Contains("refused the key", badKey.Err);

        var nobody = await CtlAt(FreePort.UdpAndTcp(), Key, "cluster", "show");
        Assert.Equal(CtlApp.ExitUnreachable, nobody.Code);
        Assert.Contains("connection refused", nobody.Err);

        // A port that is not a command port (the HTTP API) is named as such, not a hang or a crash.
        var http = await CtlAt(Cluster.HttpPort, Key, "cluster", "show");
        Assert.Equal(CtlApp.ExitUnreachable, http.Code);
        Assert.Contains("routingctl protocol", http.Err + http.Out);

        // Garbage on the command port (a scanner, an HTTP client) is refused and the port goes on serving.
        using (var junk = new System.Net.Sockets.TcpClient())
        {
            await junk.ConnectAsync("127.0.0.1", Cluster.CtlPort);
            var stream = junk.GetStream();
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            var reply = await Routing.Ctl.Protocol.Frames.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("refused", reply!["type"]!.ToString());
        }
        Assert.Equal(0, (await Ctl(0, "cluster", "leader")).Code);

        // The interactive prompt reads commands one per line (here from redirected input) on one connection.
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CtlApp.RunAsync([$"127.0.0.1:{Cluster.CtlPort}", "--key", Key], o, e,
            new CtlApp.Input(new StringReader("cluster status\nqueue lst\nhelp cluster leave\nexit\n"), null));
        Assert.Equal(CtlApp.ExitUsage, code); // the last command run was a mistake
        Assert.Contains("connected to " + Cluster.AkkaAddress(0), o.ToString());
        Assert.Contains("converged", o.ToString());
        Assert.Contains("cluster leave [address]", o.ToString());
        Assert.Contains("did you mean 'queue list'", e.ToString());
    }

    [Fact]
    public async Task Cluster_leave_makes_a_node_hand_off_and_exit_0_while_cluster_tail_sees_it_go()
    {
        await fixture.EnsureAllUp();
        var leaving = Cluster.AkkaAddress(2);
        using var stopTail = new CancellationTokenSource();
        var tailOut = new SynchronizedWriter();
        var tail = Task.Run(() => CtlApp.RunAsync([$"127.0.0.1:{Cluster.CtlPort}", "--key", Key, "cluster", "tail", "--json"], tailOut, new StringWriter(),
            ct: stopTail.Token));
        try
        {
            // The tail starts with the current members as events.
            await Eventually.Holds(() => Assert.Contains($"\"address\":\"{Cluster.AkkaAddress(1)}\"", tailOut.Text));

            // As a preStop hook does it: the real routingctl program, on the leaving node itself, with no address.
            var (code, text) = await RunRoutingCtl(Cluster.CtlPort + 2, "cluster", "leave");
            Assert.True(code == 0, text);
            Assert.Contains("is leaving", text);

            await Eventually.Holds(() =>
            {
                var events = tailOut.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
                var kinds = events.Where(ev => ev["address"]?.ToString() == leaving).Select(ev => ev["event"]!.ToString()).ToList();
                Assert.Contains("member-left", kinds);
                Assert.Contains("member-removed", kinds);
            }, TimeSpan.FromSeconds(60));
            await Eventually.Holds(async () => Assert.Equal(0, await Cluster.ExitCode(2)), TimeSpan.FromSeconds(60));

            var members = (await Ctl(0, "cluster", "show", "--json")).Json.AsArray();
            Assert.DoesNotContain(members, m => m!["address"]!.ToString() == leaving);
            Assert.Equal(2, members.Count);
        }
        finally
        {
            stopTail.Cancel();
            Assert.Equal(0, await tail.WaitAsync(TimeSpan.FromSeconds(20)));
            await fixture.EnsureAllUp(); // the next test finds three members again
        }
    }

    /// <summary>Runs the built routingctl program (Routing.Ctl.dll beside the tests) as its own process.</summary>
    private async Task<(int Code, string Output)> RunRoutingCtl(int port, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Routing.Ctl.dll"));
        psi.ArgumentList.Add($"127.0.0.1:{port}");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ROUTING_CTL_KEY"] = Key;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var text = await o + await e;
        output.WriteLine($"$ routingctl 127.0.0.1:{port} {string.Join(' ', args)} -> {p.ExitCode}\n{text}");
        return (p.ExitCode, text);
    }

    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly object _gate = new();

        public string Text
        {
            get
            {
                lock (_gate) return ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_gate) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_gate) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (_gate) base.WriteLine(value);
        }
    }

    /// <summary>Its own cluster (no load running): two routing nodes and the edge node, on PostgreSQL.</summary>
    public sealed class CtlCluster : IAsyncLifetime
    {
        public LocalCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(2, NodeLossConfig.ConfigYaml);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();

        public async Task EnsureAllUp()
        {
            for (var i = 1; i <= Cluster.RoutingNodes; i++)
                if (!await Cluster.IsAlive(i)) await Cluster.StartNode(i);
        }
    }
}
