using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Routing.Cluster;
using Routing.Cluster.Facade;
using Routing.Domain.Config;

namespace Routing.Cluster.Tests;

/// <summary>A real cluster node in this process: remoting on a loopback port, sharding, SQLite journal in a file.</summary>
public sealed class TestNode : IAsyncDisposable
{
    public required ActorSystem System { get; init; }
    public required IRoutingService Service { get; init; }
    public required int Port { get; init; }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static string Address(int port) => $"akka.tcp://routing@127.0.0.1:{port}";

    public static async Task<TestNode> StartAsync(string dbPath, ProviderConfig config, int? port = null, int? seedPort = null, string extraHocon = "")
    {
        var p = port ?? FreePort();
        var seed = seedPort ?? p;
        var cs = $"Data Source={dbPath};Cache=Shared";
        RoutingCluster.PrepareSqlite($"Data Source={dbPath}");
        var hocon = ConfigurationFactory.ParseString($$"""
            {{extraHocon}}
            akka {
              loglevel = {{Environment.GetEnvironmentVariable("ROUTING_TEST_LOGLEVEL") ?? "WARNING"}}
              stdout-loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{p}} }
              cluster {
                seed-nodes = ["{{Address(seed)}}"]
                roles = ["routing", "api"]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver { active-strategy = keep-majority, stable-after = 2s }
                failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s, threshold = 8.0 }
                down-removal-margin = 500ms
                sharding {
                  passivate-idle-entity-after = off
                  state-store-mode = ddata
                  distributed-data.durable.keys = []
                }
              }
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              persistence {
                journal { plugin = "akka.persistence.journal.sqlite", sqlite { connection-string = "{{cs}}" } }
                snapshot-store { plugin = "akka.persistence.snapshot-store.sqlite", sqlite { connection-string = "{{cs}}" } }
                query.journal.sql { provider-name = "SQLite.MS", connection-string = "{{cs}}" }
              }
            }
            routing { router-warmup = 300ms, ask-timeout = 5s }
            """).WithFallback(RoutingCluster.DefaultConfig);
        var system = ActorSystem.Create("routing", hocon);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var service = await RoutingCluster.StartAsync(system, config, cts.Token);
        return new TestNode { System = system, Service = service, Port = p };
    }

    /// <summary>Leave the cluster gracefully and stop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (System.WhenTerminated.IsCompleted) return;
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Stop abruptly, as if the process died: no leave, no hand-off.</summary>
    public Task Crash() => System.Terminate();
}

/// <summary>A temp folder with a SQLite journal file, removed at the end.</summary>
public sealed class TempDb : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("routing-test-").FullName;
    public string Path => System.IO.Path.Combine(Dir, "journal.db");

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
