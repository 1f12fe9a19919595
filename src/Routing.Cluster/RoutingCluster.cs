using System.Reflection;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Routing.Cluster.Config;
using Routing.Cluster.Entities;
using Routing.Cluster.Facade;
using Routing.Cluster.Sharding;
using Routing.Domain.Config;

namespace Routing.Cluster;

/// <summary>
/// Starts the routing core on a running ActorSystem: sharding regions (or proxies, on nodes without the
/// routing role), the configuration store and subscriber, and the facade the api role uses.
/// </summary>
public static class RoutingCluster
{
    public const string RoutingRole = "routing";

    private static readonly Lazy<Akka.Configuration.Config> Defaults = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Routing.Cluster.reference.conf")
            ?? throw new InvalidOperationException("embedded reference.conf missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd())
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig())
            .WithFallback(DistributedData.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration);
    });

    /// <summary>Akka defaults this library needs (sharding, singleton, ddata, pub-sub, SQL persistence, serializer bindings).</summary>
    public static Akka.Configuration.Config DefaultConfig => Defaults.Value;

    /// <summary>
    /// Start the routing core. <paramref name="fileConfig"/> is the configuration loaded from the YAML file at
    /// start-up; run-time changes persisted in the journal are applied on top of it before this returns.
    /// </summary>
    public static async Task<IRoutingService> StartAsync(ActorSystem system, ProviderConfig fileConfig, CancellationToken ct = default, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var settings = RoutingSettings.Create(system);
        RoutingMetrics.Observe(system);
        ConfigView.Get(system).Initialise(fileConfig);

        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());

        var sharding = ClusterSharding.Get(system);
        var extractor = new RoutingMessageExtractor(settings.ShardCount);
        var regions = Regions.Get(system);
        var isRouting = cluster.SelfRoles.Contains(RoutingRole);

        async Task<IActorRef> Region(string type, Func<string, Props> props)
        {
            if (!isRouting) return await sharding.StartProxyAsync(type, RoutingRole, extractor);
            var s = ClusterShardingSettings.Create(system).WithRole(RoutingRole);
            return await sharding.StartAsync(type, props, s, extractor);
        }

        regions.Operators = await Region(Regions.Operator, id => OperatorActor.Props(id, settings, clock));
        regions.Queues = await Region(Regions.Queue, id => QueueActor.Props(id, settings, clock));
        regions.Calls = await Region(Regions.Call, id => CallActor.Props(id, settings, clock));
        regions.Routers = await Region(Regions.Router, id => RouterActor.Props(id, settings, clock));
        regions.Config = await Region(Regions.ConfigStore, _ => ConfigStoreActor.Props(clock));

        using var reg = ct.Register(() => up.TrySetCanceled());
        await up.Task;

        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(ConfigSubscriber.Props(loaded), "routing-config");
        using var reg2 = ct.Register(() => loaded.TrySetCanceled());
        await loaded.Task;

        return new RoutingService(system, settings, clock);
    }

    /// <summary>Set journal_mode=WAL (once per file) and create the folder of a SQLite connection string.</summary>
    public static void PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory) return;
        var dir = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }
}
