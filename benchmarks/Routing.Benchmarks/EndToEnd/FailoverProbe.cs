using System.Diagnostics;
using System.Net;
using System.Text;
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
        var probes = int.Parse(Arg(args, "--probes", "300"));
        var rate = double.Parse(Arg(args, "--rate", "4"), System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"# failover: 3 routing nodes + edge, PostgreSQL, {runs} kills, {probes} probe operators, load {rate} calls/s");

        var yaml = new StringBuilder(NodeLossConfig.ConfigYaml);
        for (var i = 0; i < probes; i++) yaml.AppendLine($"  - {{ id: \"{8000 + i}\", password: pw{8000 + i}, wrapUp: 0s, tenants: [{NodeLossConfig.Tenant}] }}");
        await using var cluster = await LocalCluster.StartAsync(3, yaml.ToString());
        await using var load = new ContactCentreLoad(cluster.Api, "cc-tenant-key", NodeLossConfig.Number, NodeLossConfig.Operators) { Rate = rate, TalkSeconds = (1.5, 3.5) };
        await load.StartOperatorsAsync();

        using var http = new HttpClient { BaseAddress = cluster.Api, Timeout = TimeSpan.FromSeconds(1) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "cc-tenant-key");
        var ids = Enumerable.Range(8000, probes).Select(i => i.ToString()).ToList();
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
        for (var run = 0; run < runs; run++)
        {
            var node = run % 3 + 1;
            var refusedBefore = load.OfferErrors;
            var killAt = load.Elapsed;
            var sw = Stopwatch.StartNew();
            await cluster.Kill(node);
            // Every probe must answer; a probe that answered once stays answered.
            var pending = new HashSet<string>(ids);
            while (pending.Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(120))
            {
                var round = pending.ToList();
                var ok = await Task.WhenAll(round.Select(async id =>
                {
                    try
                    {
                        using var r = await http.GetAsync($"api/operators/{id}");
                        return (id, r.IsSuccessStatusCode);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return (id, false);
                    }
                }));
                foreach (var (id, good) in ok) if (good) pending.Remove(id);
                if (pending.Count > 0) await Task.Delay(100);
            }
            var failover = sw.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 20 - failover)));
            var w = TimeSpan.FromSeconds(10);
            var row = (node, failover, load.CompletedPerSecond(killAt - w, killAt), load.CompletedPerSecond(killAt, killAt + w),
                load.CompletedPerSecond(killAt + w, killAt + w + w), load.OfferErrors - refusedBefore);
            results.Add(row);
            Console.Error.WriteLine($"  run {run + 1}: killed routing-{node}; all {probes} probes answer after {failover:0.0} s" +
                                    (pending.Count > 0 ? $" ({pending.Count} never did)" : ""));
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
        Console.WriteLine($"failover p50 {sorted[sorted.Count / 2]:0.0} s, max {sorted[^1]:0.0} s; calls {load.Calls.Count}, ended {ended}, drained {drained}");
        return drained && ended == load.Calls.Count ? 0 : 1;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
