using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Routing.Cluster;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>A single real node (all roles, SQLite WAL file) for the load driver and the memory probe.</summary>
public sealed class BenchNode : IAsyncDisposable
{
    public required ActorSystem System { get; init; }
    public required IRoutingService Service { get; init; }
    public required string Dir { get; init; }

    public static ProviderConfig Config(int operators, int ringTimeout = 20)
    {
        var tenant = new TenantId("bench");
        var queue = QueueConfig.Create(QueueId.Of(tenant, "sales")) with
        {
            Requirements = [new SkillRequirement("sales", 1)],
            RingTimeoutSeconds = ringTimeout,
            MaxWaiting = 1_000_000,
        };
        var menu = new MenuNode("1 sales", ImmutableDictionary<char, MenuAction>.Empty.Add('1', new MenuAction.ToQueue("sales")), 30, 2, null);
        var t = new TenantConfig(tenant, "Bench", "en", ["5000"], null, null, new ClosedRule.Message("closed"), menu, "sales", [queue]);
        var ops = Enumerable.Range(0, operators).Select(i => new OperatorConfig(new OperatorId($"op{i:D6}"), $"op{i}", "pw",
            ImmutableDictionary<string, int>.Empty.Add("sales", 1 + i % 10), 1, [tenant], 0));
        return new ProviderConfig([t], [.. ops], [], "bench");
    }

    public static async Task<BenchNode> StartAsync(ProviderConfig config)
    {
        var dir = Directory.CreateTempSubdirectory("routing-bench-").FullName;
        var db = Path.Combine(dir, "journal.db");
        RoutingCluster.PrepareSqlite($"Data Source={db}");
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        var hocon = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
              cluster { seed-nodes = ["akka.tcp://routing@127.0.0.1:{{port}}"], roles = ["routing", "api", "gateway"], sharding.passivate-idle-entity-after = off }
              persistence {
                journal { plugin = "akka.persistence.journal.sql", sql { provider-name = "SQLite.MS", connection-string = "Data Source={{db}}", auto-initialize = on, parallelism = {{Environment.GetEnvironmentVariable("JP") ?? "3"}} } }
                snapshot-store { plugin = "akka.persistence.snapshot-store.sql", sql { provider-name = "SQLite.MS", connection-string = "Data Source={{db}}", auto-initialize = on } }
              }
            }
            routing { ask-timeout = 30s, router-warmup = 500ms, passivate-waiting-call-after = 5s }
            """).WithFallback(RoutingCluster.DefaultConfig);
        var system = ActorSystem.Create("routing", hocon);
        var service = await RoutingCluster.StartAsync(system, config);
        return new BenchNode { System = system, Service = service, Dir = dir };
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
