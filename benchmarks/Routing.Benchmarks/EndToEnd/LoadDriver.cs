using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Routing.Cluster.Entities;
using Routing.Cluster.Facade;
using Routing.Domain;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end driver on one node: synthetic operators that answer at once and hang up after a set time,
/// calls offered at rising rates. Reports routed calls/s and offer→reserved latency (p50/p99), where
/// "reserved" is the moment the call entity accepts the router's offer of a reserved operator.
/// </summary>
public static class LoadDriver
{
    public static async Task<int> Run(string[] args)
    {
        var rates = Arg(args, "--rates", "50,100,200,400,600,800").Split(',').Select(int.Parse).ToArray();
        var seconds = int.Parse(Arg(args, "--seconds", "10"));
        var operators = int.Parse(Arg(args, "--operators", "2000"));
        var holdMs = int.Parse(Arg(args, "--hold-ms", "1000"));
        // --nodes N (with ROUTING_BENCH_PG): N in-process nodes on PostgreSQL, the first with every role, the others
        // routing only; calls are offered through the first node's facade, the phones listen on every node.
        var nodeCount = int.Parse(Arg(args, "--nodes", "1"));
        var pg = Environment.GetEnvironmentVariable("ROUTING_BENCH_PG") is { Length: > 0 } p ? p : null;
        if (nodeCount > 1 && pg is null) throw new ArgumentException("--nodes > 1 needs ROUTING_BENCH_PG (tools/cluster.sh pg-start prints one)");
        Console.WriteLine($"# end-to-end: {nodeCount} node(s), journal {(pg is null ? "SQLite" : "PostgreSQL")}, {operators} operators, hold {holdMs} ms, {seconds} s per rate, rates {string.Join(",", rates)}");

        var config = BenchNode.Config(operators);
        await using var node = await BenchNode.StartAsync(config, pg);
        var others = new List<BenchNode>();
        for (var i = 1; i < nodeCount; i++) others.Add(await BenchNode.StartAsync(config, pg, node.Host.Address.ToString(), ["routing"]));
        var svc = node.Service;
        await Parallel.ForEachAsync(svc.Config.Operators, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (op, ct) =>
        {
            await svc.OperatorAction(op.Id, new OperatorAction.LogIn(), ct);
            await svc.OperatorAction(op.Id, new OperatorAction.Ready(), ct);
        });
        Console.WriteLine($"{operators} operators ready");

        var offeredAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var routed = 0;
        foreach (var n in others.Prepend(node))
        {
            var listener = n.System.ActorOf(Props.Create(() => new OperatorPhones(svc, offeredAt, latencies, () => Interlocked.Increment(ref routed), holdMs)));
            n.System.EventStream.Subscribe(listener, typeof(ChannelInstruction));
        }

        Console.WriteLine("| offered calls/s | routed calls/s | p50 offer→reserved ms | p99 ms | max ms | failed offers |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var rate in rates)
        {
            Join.Latencies.Clear();
            Interlocked.Exchange(ref routed, 0);
            var failed = 0;
            var sw = Stopwatch.StartNew();
            var total = rate * seconds;
            var tasks = new List<Task>(total);
            for (var i = 0; i < total; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                var wait = due - sw.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                tasks.Add(Offer(svc, offeredAt).ContinueWith(t => { if (!t.IsCompletedSuccessfully) Interlocked.Increment(ref failed); }));
            }
            await Task.WhenAll(tasks);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref routed) < total - failed && DateTime.UtcNow < deadline) await Task.Delay(50);
            var elapsed = sw.Elapsed.TotalSeconds;
            var l = Join.Latencies.OrderBy(x => x).ToArray();
            // Server-side view of the same interval: from the call's first event to its offer, read from its journal.
            var sample = Join.Ids.Keys.Take(200).ToList();
            var server = new List<double>();
            foreach (var id in sample)
            {
                var v = await svc.GetCall(new CallId(id));
                var startedAt = v.Events.FirstOrDefault(e => e.Type == "offered")?.At;
                var offer = v.Events.FirstOrDefault(e => e.Type == "offered-to-operator")?.At;
                if (startedAt is { } a && offer is { } b) server.Add((b - a).TotalMilliseconds);
            }
            Join.Ids.Clear();
            var sv = server.OrderBy(x => x).ToArray();
            Console.Error.WriteLine($"  server-side start→offer: p50 {Pct(sv, 0.5):0.0} ms, p99 {Pct(sv, 0.99):0.0} ms (n={sv.Length})");
            Console.WriteLine($"| {rate} | {Volatile.Read(ref routed) / elapsed:0} | {Pct(l, 0.5):0.0} | {Pct(l, 0.99):0.0} | {(l.Length > 0 ? l[^1] : 0):0.0} | {failed} |");
            await Task.Delay(holdMs + 500); // let the last calls end so every operator is ready again
        }
        foreach (var o in others) await o.DisposeAsync();
        return 0;
    }

    private static async Task Offer(IRoutingService svc, ConcurrentDictionary<string, long> offeredAt)
    {
        var start = Stopwatch.GetTimestamp();
        var view = await svc.OfferCall(new OfferCallRequest("5000", "+1", "1"));
        Join.Offered(view.Id, start);
    }

    /// <summary>Pairs the offer's start (known when the API call returns) with the ring (which may come first).</summary>
    private static class Join
    {
        private static readonly object Gate = new();
        private static readonly Dictionary<string, long> Starts = [];
        private static readonly Dictionary<string, long> Rings = [];
        public static ConcurrentBag<double> Latencies { get; } = [];
        public static ConcurrentDictionary<string, long> Ids { get; } = new();

        public static void Offered(string id, long start)
        {
            Ids[id] = start;
            lock (Gate)
            {
                if (Rings.Remove(id, out var ring)) Latencies.Add(Stopwatch.GetElapsedTime(start, ring).TotalMilliseconds);
                else Starts[id] = start;
            }
        }

        public static void Rang(string id, long at)
        {
            lock (Gate)
            {
                if (Starts.Remove(id, out var start)) Latencies.Add(Stopwatch.GetElapsedTime(start, at).TotalMilliseconds);
                else Rings[id] = at;
            }
        }
    }

    private static double Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Plays every operator's phone: answers as soon as it rings, hangs up after the hold time.</summary>
    private sealed class OperatorPhones : ReceiveActor
    {
        public OperatorPhones(IRoutingService svc, ConcurrentDictionary<string, long> offeredAt, ConcurrentBag<double> latencies, Action routed, int holdMs)
        {
            Receive<ChannelInstruction>(i =>
            {
                if (i.Action != "ring" || i.Target is null) return;
                Join.Rang(i.Call.Value, Stopwatch.GetTimestamp());
                routed();
                var call = i.Call;
                var op = new OperatorId(i.Target);
                _ = Task.Run(async () =>
                {
                    await svc.CallAction(call, new CallAction.Answer(op));
                    await Task.Delay(holdMs);
                    await svc.CallAction(call, new CallAction.HangUp("caller"));
                });
            });
        }
    }
}
