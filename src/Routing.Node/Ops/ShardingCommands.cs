using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Routing.Ctl.Protocol;

namespace Routing.Node.Ops;

/// <summary>pbm's cluster-sharding palette: the entity types of this node and where their shards and entities live.</summary>
public sealed class ShardingCommands(ActorSystem system)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private ClusterSharding Sharding => ClusterSharding.Get(system);

    /// <summary>The entity types this node knows, regions and proxies alike (ShardTypeNames lists only full regions).</summary>
    private IReadOnlyList<string> TypeNames() =>
        [.. Sharding.ShardTypeNames.Concat(new[] { Routing.Cluster.Sharding.Regions.Call, Routing.Cluster.Sharding.Regions.Operator,
                Routing.Cluster.Sharding.Regions.Queue, Routing.Cluster.Sharding.Regions.Router, Routing.Cluster.Sharding.Regions.ConfigStore }
            .Where(n => Region(n) is not null)).Distinct().Order(StringComparer.Ordinal)];

    private IActorRef? Region(string type)
    {
        try
        {
            return Sharding.ShardRegion(type);
        }
        catch (ArgumentException)
        {
            try
            {
                return Sharding.ShardRegionProxy(type);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }

    public async Task Regions(ICommandOutput output, CancellationToken ct)
    {
        var rows = new List<IReadOnlyList<string?>>();
        foreach (var type in TypeNames())
        {
            var region = Region(type)!;
            var local = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, Timeout, ct);
            var proxy = local.Stats.Count == 0 && !HostsShards();
            rows.Add([type, proxy ? "proxy" : "region", local.Stats.Count.ToString(CultureInfo.InvariantCulture),
                local.Stats.Values.Sum().ToString(CultureInfo.InvariantCulture)]);
        }
        await output.Table("regions", ["type", "kind", "local shards", "local entities"], rows);
    }

    public async Task RegionStats(string type, ICommandOutput output, CancellationToken ct)
    {
        var stats = await Stats(type, ct);
        var coordinator = CoordinatorNode();
        var rows = stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => (IReadOnlyList<string?>)
            [
                r.Key.ToString(), r.Value.Stats.Count.ToString(CultureInfo.InvariantCulture),
                r.Value.Stats.Values.Sum().ToString(CultureInfo.InvariantCulture), r.Key == coordinator ? "coordinator" : "",
            ]).ToList();
        rows.Add(["(total)", stats.Regions.Values.Sum(r => r.Stats.Count).ToString(CultureInfo.InvariantCulture),
            stats.Regions.Values.Sum(r => r.Stats.Values.Sum()).ToString(CultureInfo.InvariantCulture), ""]);
        await output.Table($"{type}: shards and entities per node", ["node", "shards", "entities", "coordinator"], rows);
    }

    public async Task ShardStats(string type, ICommandOutput output, CancellationToken ct)
    {
        var stats = await Stats(type, ct);
        var rows = stats.Regions.SelectMany(r => r.Value.Stats.Select(s => (Shard: s.Key, Node: r.Key, Entities: s.Value)))
            .OrderBy(x => int.TryParse(x.Shard, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue).ThenBy(x => x.Shard, StringComparer.Ordinal)
            .Select(x => (IReadOnlyList<string?>)[x.Shard, x.Node.ToString(), x.Entities.ToString(CultureInfo.InvariantCulture)]);
        await output.Table($"{type}: shards", ["shard", "node", "entities"], rows);
    }

    private async Task<ClusterShardingStats> Stats(string type, CancellationToken ct)
    {
        var known = TypeNames();
        if (!known.Contains(type))
            throw new CommandFailedException($"no shard region '{type}'" + CommandCatalogue.Suggest(type, known) + $"; regions: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        try
        {
            return await Region(type)!.Ask<ClusterShardingStats>(new GetClusterShardingStats(Timeout), Timeout + TimeSpan.FromSeconds(2), ct);
        }
        catch (AskTimeoutException)
        {
            throw new CommandFailedException($"the '{type}' regions did not report within {Timeout.TotalSeconds:0}s (is the coordinator's node reachable?)");
        }
    }

    private string ShardingRole => system.Settings.Config.GetString("akka.cluster.sharding.role", "");

    private bool HostsShards() => ShardingRole.Length == 0 || Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(ShardingRole);

    /// <summary>The coordinator is a cluster singleton: it runs on the oldest Up member with the sharding role.</summary>
    private Address? CoordinatorNode()
    {
        var role = ShardingRole;
        var candidates = Akka.Cluster.Cluster.Get(system).State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && (role.Length == 0 || m.HasRole(role))).ToList();
        return candidates.Count == 0 ? null : candidates.Aggregate((a, b) => a.IsOlderThan(b) ? a : b).Address;
    }
}
