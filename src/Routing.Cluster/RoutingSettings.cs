using Akka.Actor;

namespace Routing.Cluster;

/// <summary>The routing core's settings, read once from the <c>routing</c> HOCON section.</summary>
public sealed record RoutingSettings(
    int ShardCount,
    TimeSpan ReservationLeaseMargin,
    TimeSpan AskTimeout,
    TimeSpan RouterWarmup,
    TimeSpan PassivateLoggedOutOperatorAfter,
    TimeSpan PassivateEndedCallAfter,
    TimeSpan PassivateWaitingCallAfter,
    TimeSpan PassivateEmptyQueueAfter,
    TimeSpan QueueHeartbeat,
    int SnapshotEvery,
    TimeSpan OperatorCallCheck,
    TimeSpan OfferTimeout)
{
    public static RoutingSettings Create(ActorSystem system)
    {
        var c = system.Settings.Config.GetConfig("routing").WithFallback(RoutingCluster.DefaultConfig.GetConfig("routing"));
        return new RoutingSettings(
            c.GetInt("shard-count"),
            c.GetTimeSpan("reservation-lease-margin"),
            c.GetTimeSpan("ask-timeout"),
            c.GetTimeSpan("router-warmup"),
            c.GetTimeSpan("passivate-logged-out-operator-after"),
            c.GetTimeSpan("passivate-ended-call-after"),
            c.GetTimeSpan("passivate-waiting-call-after"),
            c.GetTimeSpan("passivate-empty-queue-after"),
            c.GetTimeSpan("queue-heartbeat"),
            c.GetInt("snapshot-every"),
            c.GetTimeSpan("operator-call-check"),
            c.GetTimeSpan("offer-timeout"));
    }
}
