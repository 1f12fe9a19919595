using Akka.Actor;
using Akka.Cluster.Sharding;
using Routing.Cluster.Messages;

namespace Routing.Cluster.Sharding;

/// <summary>Shard extraction for every Routing entity: by the id every entity message carries.</summary>
public sealed class RoutingMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IEntityMessage m => m.EntityId,
        _ => null,
    };
}

/// <summary>The shard regions (or proxies) of this node. One per ActorSystem.</summary>
public sealed class Regions : IExtension
{
    public const string Operator = "operator";
    public const string Call = "call";
    public const string Queue = "queue";
    public const string Router = "router";
    public const string ConfigStore = "config";

    public IActorRef Operators { get; internal set; } = ActorRefs.Nobody;
    public IActorRef Calls { get; internal set; } = ActorRefs.Nobody;
    public IActorRef Queues { get; internal set; } = ActorRefs.Nobody;
    public IActorRef Routers { get; internal set; } = ActorRefs.Nobody;
    public IActorRef Config { get; internal set; } = ActorRefs.Nobody;

    public static Regions Get(ActorSystem system) => system.WithExtension<Regions, RegionsProvider>();
}

public sealed class RegionsProvider : ExtensionIdProvider<Regions>
{
    public override Regions CreateExtension(ExtendedActorSystem system) => new();
}
