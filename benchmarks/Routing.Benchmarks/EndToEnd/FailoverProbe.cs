using System.Diagnostics;
using System.Net;
using System.Text;
using Routing.Cluster.Sharding;
using Routing.Integration.Tests.Cluster;
using Routing.Integration.Tests.Infrastructure;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>
/// Failover time on a real 3-node cluster (tools/cluster.sh: processes on loopback, PostgreSQL): callers and operators
/// keep working through the edge node while, run after run, one routing node is killed with `kill -9`. Measures the
/// time from the kill until every probe entity (logged-in operators spread over all shards) answers again on the
/// survivors, and completed calls/s before, during and after. The node is started again between runs.
/// </summary>
public static class FailoverProbe
{
    public static async Task<int> Run(string[] args)
    {
        var runs = int.Parse(Arg(args, "--runs", "5"));
        var probes = int.Parse(Arg(args, "--probes", "100"));
        var rate = double.Parse(Arg(args, "--rate", "4"), System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"# failover: 3 routing nodes + edge, PostgreSQL, {runs} kills, {probes} probe operators, load {rate} calls/s");

        // One probe operator per shard (ids picked by the cluster's own shard extractor), so "every probe answers"
        // means every shard of the operator region, the dead node's included, is serving again.
        var extractor = new RoutingMessageExtractor(100);
        var byShard = new Dictionary<string, string>();
        for (var i = 8000; byShard.Count < Math.Min(probes, 100) && i < 200_000; i++)
            byShard.TryAdd(extractor.ShardId(i.ToString(), null), i.ToString());
        var ids = byShard.Values.OrderBy(x => x).ToList();
        Console.WriteLine($"# {ids.Count} probes, one per operator shard; each probe tries every 250 ms (2 s timeout per try, tries overlap)");

        var yaml = new StringBuilder(NodeLossConfig.ConfigYaml);
        foreach (var id in ids) yaml.AppendLine($"  - {{ id: \"{id}\", password: pw{id}, wrapUp: 0s, tenants: [{NodeLossConfig.Tenant}] }}");
        await using var cluster = await LocalCluster.StartAsync(3, yaml.ToString());
        await using var load = new ContactCentreLoad(cluster.Api, "cc-tenant-key", NodeLossConfig.Number, NodeLossConfig.Operators) { Rate = rate, TalkSeconds = (1.5, 3.5) };
        await load.StartOperatorsAsync();

        using var http = new HttpClient { BaseAddress = cluster.Api, Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "cc-tenant-key");
        // Logged in (not ready): alive, remembered, never offered a call.
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            while (true)
            {
                try
                {
                    using var r = await http.PostAsync($"api/operators/{id}/login", null, ct);
                    if (r.IsSuccessStatusCode || r.StatusCode == HttpStatusCode.Conflict) return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(200, ct);
            }
        });
        load.StartOffering();
        await Task.Delay(TimeSpan.FromSeconds(15));

        var results = new List<(int Node, double Seconds, double Before, double During, double After, int Refused)>();
        var falseDowns = 0;
        for (var run = 0; run < runs; run++)
        {
            var node = run % 3 + 1;
            var refusedBefore = load.OfferErrors;
            var killAt = load.Elapsed;
            var sw = Stopwatch.StartNew();
            await cluster.Kill(node);
            // Every probe must answer once. A probe tries every 250 ms without waiting for its earlier tries (a request
            // routed to the dead node's region only times out), so the figure is the first answer to within 250 ms.
            var answered = await Task.WhenAll(ids.Select(id => FirstAnswer(http, id, sw, TimeSpan.FromSeconds(120))));
            var pending = answered.Where(t => t is null).ToList();
            var failover = answered.Max(t => t ?? 120);
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 20 - failover)));
            var w = TimeSpan.FromSeconds(10);
            var row = (node, failover, load.CompletedPerSecond(killAt - w, killAt), load.CompletedPerSecond(killAt, killAt + w),
                load.CompletedPerSecond(killAt + w, killAt + w + w), load.OfferErrors - refusedBefore);
            results.Add(row);
            // A false downing: a survivor the resolver downed (it exits, its supervisor would restart it).
            var downed = new List<string>();
            foreach (var name in Enumerable.Range(1, cluster.RoutingNodes).Where(n => n != node).Select(n => $"routing-{n}").Append("edge"))
                if (!await cluster.IsAlive(name)) downed.Add(name);
            falseDowns += downed.Count;
            Console.Error.WriteLine($"  run {run + 1}: killed routing-{node}; all {ids.Count} probes answer after {failover:0.0} s" +
                                    (pending.Count > 0 ? $" ({pending.Count} never did)" : "") +
                                    (downed.Count > 0 ? $"; FALSE DOWNING of {string.Join(", ", downed)}" : ""));
            await cluster.StartNode(node);
            await Task.Delay(TimeSpan.FromSeconds(20)); // rebalancing onto the returning node settles
        }
        await load.StopOfferingAsync();
        var drained = await load.DrainAsync(TimeSpan.FromSeconds(90));
        var ended = load.Calls.Values.Count(c => c.Ended.Task.IsCompleted);

        Console.WriteLine("| run | killed | failover (all probes answer) | completed calls/s 10 s before | 0–10 s after | 10–20 s after | offers refused |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            Console.WriteLine($"| {i + 1} | routing-{r.Node} | {r.Seconds:0.0} s | {r.Before:0.0} | {r.During:0.0} | {r.After:0.0} | {r.Refused} |");
        }
        var sorted = results.Select(r => r.Seconds).OrderBy(x => x).ToList();
        Console.WriteLine($"failover p50 {sorted[sorted.Count / 2]:0.0} s, max {sorted[^1]:0.0} s; calls {load.Calls.Count}, ended {ended}, drained {drained}; false downings {falseDowns}");
        return drained && ended == load.Calls.Count && falseDowns == 0 ? 0 : 1;
    }

    /// <summary>Seconds on <paramref name="clock"/> at which <paramref name="id"/> first answered; null if never within <paramref name="limit"/>.</summary>
    private static async Task<double?> FirstAnswer(HttpClient http, string id, Stopwatch clock, TimeSpan limit)
    {
        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = new List<Task>();
        while (!done.Task.IsCompleted && clock.Elapsed < limit)
        {
            tries.Add(Try());
            await Task.WhenAny(done.Task, Task.Delay(250));
        }
        await Task.WhenAll(tries);
        return done.Task.IsCompleted ? done.Task.Result : null;

        async Task Try()
        {
            try
            {
                using var r = await http.GetAsync($"api/operators/{id}");
                if (r.IsSuccessStatusCode) done.TrySetResult(clock.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
