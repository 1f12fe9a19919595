using System.Net;
using System.Text.RegularExpressions;
using Routing.Node;
using Xunit;
using static Routing.Api.Tests.NodeFixture;

namespace Routing.Api.Tests;

/// <summary>
/// /healthz, /ready and /metrics as Kubernetes and Prometheus use them: no key, on every node, and the figures a
/// manager and an operator of the cluster look at. ACME's calls are used here (no other test of this collection
/// counts them).
/// </summary>
[Collection(NodeCollection.Name)]
public sealed partial class HealthAndMetricsTests(NodeFixture node)
{
    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[-0-9.eE+]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>The value of one series (name and every label given must match); 0 when absent.</summary>
    private static double Value(string scrape, string name, params (string Label, string Value)[] labels) =>
        Sample().Matches(scrape)
            .Where(m => m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<string> Scrape(Uri node)
    {
        using var http = new HttpClient { BaseAddress = node };
        using var r = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_without_a_key_and_name_their_checks()
    {
        using var anonymous = node.Client(null);
        var live = await anonymous.GetAsync("/healthz").Expect(HttpStatusCode.OK);
        Assert.Equal("up", live["checks"]!["member"]!.ToString());
        var ready = await anonymous.GetAsync("/ready").Expect(HttpStatusCode.OK);
        Assert.Equal("ok", ready["status"]!.ToString());
        Assert.Equal("started", ready["checks"]!["shard-regions"]!.ToString());
        Assert.StartsWith("reachable", ready["checks"]!["journal"]!.ToString());
    }

    [Fact]
    public async Task After_a_call_the_scrape_shows_its_queue_figures_operators_and_latencies()
    {
        using var acme = node.Client(AcmeKey);
        var before = await Scrape(node.Host.HttpAddress!);
        var q = new[] { ("tenant", "acme"), ("queue", "support") };

        await acme.PostAsync("/api/operators/3001/login", null).Expect(HttpStatusCode.OK);
        await acme.PostAsync("/api/operators/3001/ready", null).Expect(HttpStatusCode.OK);
        string location;
        using (var offered = await acme.PostAsync("/api/calls", Http.Json(new { number = "2000", caller = "+7495" })))
        {
            Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
            location = offered.Headers.Location!.OriginalString;
        }
        await acme.Poll(location, c => c["state"]!.ToString() == "ringing");
        await acme.PostAsync($"{location}/answer", Http.Json(new { @operator = "3001" })).Expect(HttpStatusCode.OK);
        await acme.PostAsync($"{location}/hangup", Http.Json(new { side = "caller" })).Expect(HttpStatusCode.OK);

        // Counters and histograms move on the node where the events were persisted (this one).
        string after = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            after = await Scrape(node.Host.HttpAddress!);
            // The queue counts the handled call and the operator entity leaves on-call independently: wait for both.
            if (Value(after, "routing_handle_time_seconds_count", q) > Value(before, "routing_handle_time_seconds_count", q) &&
                Value(after, "routing_operators", ("state", "wrap-up")) + Value(after, "routing_operators", ("state", "ready")) >= 1) break;
            await Task.Delay(100);
        }
        Assert.Equal(1, Value(after, "routing_calls_offered_total", q) - Value(before, "routing_calls_offered_total", q));
        Assert.Equal(1, Value(after, "routing_calls_answered_total", q) - Value(before, "routing_calls_answered_total", q));
        Assert.Equal(0, Value(after, "routing_calls_abandoned_total", q) - Value(before, "routing_calls_abandoned_total", q));
        Assert.Equal(1, Value(after, "routing_wait_time_seconds_count", [.. q, ("outcome", "answered")]) - Value(before, "routing_wait_time_seconds_count", [.. q, ("outcome", "answered")]));
        Assert.Equal(1, Value(after, "routing_handle_time_seconds_count", q) - Value(before, "routing_handle_time_seconds_count", q));
        Assert.Equal(0, Value(after, "routing_calls_waiting", q));
        Assert.True(Value(after, "routing_decision_latency_seconds_count") > Value(before, "routing_decision_latency_seconds_count"));
        Assert.True(Value(after, "routing_journal_write_latency_seconds_count") > Value(before, "routing_journal_write_latency_seconds_count"));
        Assert.True(Value(after, "routing_operators", ("state", "wrap-up")) + Value(after, "routing_operators", ("state", "ready")) >= 1);
        Assert.Equal(1, Value(after, "routing_cluster_members", ("status", "up"), ("node", node.Host.Address.ToString())));
        // The gateway role's series are there too: a trunk's OPTIONS keep-alive is counted by method and its 200 by class.
        var options = Value(after, "routing_sip_requests_total", ("method", "OPTIONS"));
        var ok = Value(after, "routing_sip_responses_total", ("class", "2xx"));
        using (var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            var local = (IPEndPoint)udp.Client.LocalEndPoint!;
            var ping = "OPTIONS sip:2000@127.0.0.1 SIP/2.0\r\n" +
                       $"Via: SIP/2.0/UDP 127.0.0.1:{local.Port};branch=z9hG4bK-metrics-{Guid.NewGuid():N}\r\n" +
                       "Max-Forwards: 70\r\nFrom: <sip:trunk@127.0.0.1>;tag=m1\r\nTo: <sip:2000@127.0.0.1>\r\n" +
                       $"Call-ID: metrics-{Guid.NewGuid():N}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
            var bytes = System.Text.Encoding.ASCII.GetBytes(ping);
            await udp.SendAsync(bytes, bytes.Length, node.Host.SipEndPoint!);
            var reply = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("SIP/2.0 200", System.Text.Encoding.ASCII.GetString(reply.Buffer));
        }
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && Value(after, "routing_sip_responses_total", ("class", "2xx")) <= ok)
        {
            await Task.Delay(100);
            after = await Scrape(node.Host.HttpAddress!);
        }
        Assert.Equal(1, Value(after, "routing_sip_requests_total", ("method", "OPTIONS")) - options);
        Assert.True(Value(after, "routing_sip_transactions_total", ("method", "OPTIONS")) >= 1);
        Assert.Matches(@"(?m)^routing_rtp_streams(\{[^}]*\})? \d+", after); // the level is there (0 with no call up)
        Assert.True(Value(after, "routing_sip_responses_total", ("class", "2xx")) > ok);

        // An operator waiting for calls is counted by state; logged out, not at all.
        await acme.PostAsync("/api/operators/3001/not-ready", Http.Json(new { reason = "done" })).Expect(HttpStatusCode.OK);
        await acme.PostAsync("/api/operators/3001/logout", null).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_node_that_joins_is_counted_up_and_one_that_is_made_to_leave_stops_being_ready_and_live()
    {
        var dir = Path.Combine(Path.GetTempPath(), "routing-health-" + Guid.NewGuid().ToString("N"));
        var second = await RoutingNodeHost.StartAsync(Options(dir) with
        {
            Roles = ["routing"],
            Seeds = [node.Host.Address.ToString()],
            // One journal for the cluster: the first node's SQLite file.
            HoconText = Options(dir).HoconText + $"\nakka.persistence.journal.sqlite.connection-string = \"Data Source={Path.Combine(node.Host.Options.DataDir, "routing.db")}\"" +
                        $"\nakka.persistence.snapshot-store.sqlite.connection-string = \"Data Source={Path.Combine(node.Host.Options.DataDir, "routing.db")}\"",
        });
        try
        {
            var first = node.Host.HttpAddress!;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && Value(await Scrape(first), "routing_cluster_members", ("status", "up"), ("node", node.Host.Address.ToString())) < 2)
                await Task.Delay(100);
            Assert.Equal(2, Value(await Scrape(first), "routing_cluster_members", ("status", "up"), ("node", node.Host.Address.ToString())));

            using var probe = new HttpClient { BaseAddress = second.HttpAddress };
            await probe.GetAsync("/ready").Expect(HttpStatusCode.OK); // a routing-only node has its probes too
            await probe.GetAsync("/api/tenants").Expect(HttpStatusCode.NotFound); // but no API

            // The first node tells it to leave (as `routingctl cluster leave <address>` does): it hands off and stops.
            Akka.Cluster.Cluster.Get(node.Host.System).Leave(second.Address);
            await second.Terminated.WaitAsync(TimeSpan.FromSeconds(60));
            var ready = await probe.GetAsync("/ready").Expect(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("terminated", ready["checks"]!["actor-system"]!.ToString());
            await probe.GetAsync("/healthz").Expect(HttpStatusCode.ServiceUnavailable);

            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && Value(await Scrape(first), "routing_cluster_members", ("status", "up"), ("node", node.Host.Address.ToString())) > 1)
                await Task.Delay(100);
            Assert.Equal(1, Value(await Scrape(first), "routing_cluster_members", ("status", "up"), ("node", node.Host.Address.ToString())));
        }
        finally
        {
            await second.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
