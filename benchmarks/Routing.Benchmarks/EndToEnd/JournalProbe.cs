using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Routing.Cluster;
using Routing.Domain;
using Routing.Domain.Queues;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>
/// The journal alone: E entities each persisting events one after another (the pattern of the routing
/// entities), on the same SQLite-WAL plugin configuration as the node. Reports events/s and write latency.
/// </summary>
public static class JournalProbe
{
    public static async Task<int> Run(string[] args)
    {
        var entities = args.Length > 1 ? int.Parse(args[1]) : 1;
        var perEntity = args.Length > 2 ? int.Parse(args[2]) : 500;
        var parallelism = args.Length > 3 ? args[3] : "0";
        var dir = Directory.CreateTempSubdirectory("routing-journal-").FullName;
        var db = Path.Combine(dir, "journal.db");
        RoutingCluster.PrepareSqlite($"Data Source={db}");
        // ROUTING_BENCH_PG=<Npgsql connection string>: the same probe on PostgreSQL (e.g. tools/cluster.sh's server).
        var pg = Environment.GetEnvironmentVariable("ROUTING_BENCH_PG");
        var (provider, cs) = pg is { Length: > 0 } ? ("PostgreSQL.15", pg) : ("SQLite.MS", $"Data Source={db}");
        // P = 0 (the default): the node's SqliteJournal; P > 0: Akka.Persistence.Sql with that parallelism (on SQLite, the plugin
        // the node used before SqliteJournal; on PostgreSQL, always).
        var journal = pg is { Length: > 0 } || parallelism != "0" ? "akka.persistence.journal.sql" : "akka.persistence.journal.sqlite";
        Console.Error.WriteLine($"  journal: {journal} ({provider})");
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal { plugin = "{{journal}}", sql { provider-name = "{{provider}}", connection-string = "{{cs}}", auto-initialize = on, parallelism = {{parallelism}}, {{Environment.GetEnvironmentVariable("JX") ?? ""}} }
              sqlite { connection-string = "{{cs}}" } }
            akka.persistence.snapshot-store { plugin = "akka.persistence.snapshot-store.sql", sql { provider-name = "{{provider}}", connection-string = "{{cs}}", auto-initialize = on } }
            """).WithFallback(RoutingCluster.DefaultConfig);
        using var system = ActorSystem.Create("journal", config);
        var latencies = new List<double>[entities];
        var run = Guid.NewGuid().ToString("N")[..8]; // a shared PostgreSQL keeps earlier runs' rows
        // Start-up of a brand-new entity (snapshot query, replay, highest sequence number), one at a time.
        var starts = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var ready = new TaskCompletionSource();
            var t0 = Stopwatch.GetTimestamp();
            system.ActorOf(Props.Create(() => new Writer($"{run}-fresh-{i}", 0, new List<double>(), ready)));
            await ready.Task;
            starts.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        starts.Sort();
        Console.Error.WriteLine($"  recovery of a new entity: p50 {starts[10]:0.0} ms, max {starts[^1]:0.0} ms");
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, entities).Select(i =>
        {
            latencies[i] = new List<double>(perEntity);
            var done = new TaskCompletionSource();
            system.ActorOf(Props.Create(() => new Writer($"{run}-probe-{i}", perEntity, latencies[i], done)));
            return done.Task;
        }).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = sw.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).OrderBy(x => x).ToArray();
        Console.WriteLine($"| {entities} | {parallelism} | {entities * perEntity / elapsed:0} | {all[all.Length / 2]:0.00} | {all[(int)(all.Length * 0.99)]:0.00} |");
        await system.Terminate();
        try { Directory.Delete(dir, true); } catch (IOException) { }
        return 0;
    }

    private sealed class Writer : ReceivePersistentActor
    {
        private readonly string _id;
        public override string PersistenceId => _id;

        public Writer(string id, int count, List<double> latencies, TaskCompletionSource done)
        {
            _id = id;
            var written = 0;
            var start = 0L;
            void Next()
            {
                if (written == count) { done.TrySetResult(); return; }
                start = Stopwatch.GetTimestamp();
                Persist(new CallDequeued(DateTimeOffset.UtcNow, new CallId($"bench/{written}"), DequeueReason.Answered, 1.5), _ =>
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    written++;
                    Next();
                });
            }
            Recover<RecoveryCompleted>(_ => Self.Tell("go"));
            Command<string>(_ => Next());
        }
    }
}
