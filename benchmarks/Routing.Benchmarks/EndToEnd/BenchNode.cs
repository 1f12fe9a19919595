using System.Collections.Immutable;
using Akka.Actor;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Node;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>
/// A single real node (all roles, the shipped hocon/ files, SQLite WAL in a temp dir) started the way the
/// product starts, for the load driver and the memory probe.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    public required RoutingNodeHost Host { get; init; }
    public required string Dir { get; init; }
    public ActorSystem System => Host.System;
    public IRoutingService Service => Host.Routing;

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

    /// <summary>One node; with <paramref name="pg"/> its journal is that PostgreSQL (hocon/postgres.conf), with
    /// <paramref name="seed"/> it joins that node's cluster with only the given roles.</summary>
    public static async Task<BenchNode> StartAsync(ProviderConfig config, string? pg = null, string? seed = null, IReadOnlyList<string>? roles = null)
    {
        var dir = Directory.CreateTempSubdirectory("routing-bench-").FullName;
        var host = await RoutingNodeHost.StartAsync(new RoutingNodeOptions
        {
            HoconFiles = pg is null ? [] : [NodeHocon.FindShippedFile("hocon/postgres.conf")],
            DbConnection = pg,
            Seeds = seed is null ? [] : [seed],
            Roles = roles ?? RoutingNodeOptions.AllRoles,
            Hostname = "127.0.0.1",
            ConfigText = ConfigWriter.ToYaml(config),
            DataDir = dir,
            Port = 0,
            HttpPort = 0,
            HttpHost = "127.0.0.1",
            SipPort = 0,
            SipHost = "127.0.0.1",
            HttpLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            HoconText = """
                akka.loglevel = WARNING
                routing { ask-timeout = 30s, router-warmup = 500ms, passivate-waiting-call-after = 5s }
                """,
        });
        return new BenchNode { Host = host, Dir = dir };
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
