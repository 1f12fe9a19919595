using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace Routing.Node.Ops;

/// <summary>Subscribes to this node's membership and reachability events and hands them to one `cluster tail` stream.</summary>
public sealed class ClusterTailActor : ReceiveActor
{
    public ClusterTailActor(ChannelWriter<ClusterEvent.IClusterDomainEvent> events)
    {
        Receive<ClusterEvent.IClusterDomainEvent>(e => events.TryWrite(e));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
