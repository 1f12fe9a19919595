using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using Routing.Domain;
using Routing.Domain.Operators;
using Routing.Domain.Routing;
using Routing.Domain.Queues;

namespace Routing.Cluster;

/// <summary>
/// The routing core's metrics on <c>Meter("Routing.Cluster")</c> (exported in Prometheus format by the node).
/// Counters are counted where the event is persisted, so each happens once in the cluster; gauges report what this
/// node's own entities hold (Prometheus sums the nodes). Names are given without the Prometheus suffixes the exporter
/// adds (<c>_total</c> for counters, the unit for histograms).
/// </summary>
public static class RoutingMetrics
{
    public const string MeterName = "Routing.Cluster";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Offered = Meter.CreateCounter<long>("routing_calls_offered", description: "Calls that entered a queue");
    private static readonly Counter<long> Answered = Meter.CreateCounter<long>("routing_calls_answered", description: "Calls answered by an operator");
    private static readonly Counter<long> Abandoned = Meter.CreateCounter<long>("routing_calls_abandoned", description: "Callers who hung up while waiting or ringing");
    private static readonly Counter<long> Overflowed = Meter.CreateCounter<long>("routing_calls_overflowed", description: "Calls moved on by an overflow rule");
    private static readonly Histogram<double> WaitTime = Meter.CreateHistogram<double>("routing_wait_time", "s", "Time from queueing to answer or abandon",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 20, 30, 60, 120, 300, 600] });
    private static readonly Histogram<double> HandleTime = Meter.CreateHistogram<double>("routing_handle_time", "s", "Talk time of answered calls",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 30, 60, 120, 300, 600, 1200, 3600] });
    private static readonly Histogram<double> DecisionTime = Meter.CreateHistogram<double>("routing_decision_latency", "s", "Time a router takes to match waiting calls with ready operators",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5] });
    private static readonly Histogram<double> JournalWrite = Meter.CreateHistogram<double>("routing_journal_write_latency", "s", "From persisting an entity's events to the journal's confirmation",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    private static readonly ConcurrentDictionary<QueueId, int> WaitingByQueue = new();
    private static readonly ConcurrentDictionary<(string Node, string Operator), OperatorStatus> OperatorStates = new();
    private static readonly ConcurrentDictionary<string, Akka.Cluster.Cluster> Clusters = new();

    static RoutingMetrics()
    {
        Meter.CreateObservableGauge("routing_calls_waiting", () =>
            WaitingByQueue.Select(kv => new Measurement<int>(kv.Value, Tags(kv.Key))), description: "Calls waiting in queues held by this node");
        Meter.CreateObservableGauge("routing_operators", () =>
            OperatorStates.GroupBy(kv => kv.Value)
                .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("state", Name(g.Key)))),
            description: "Operators held by this node, by state");
        Meter.CreateObservableGauge("routing_cluster_members", MemberCounts, description: "Cluster members by status, as this node sees them");
    }

    private static KeyValuePair<string, object?>[] Tags(QueueId q) => [new("tenant", q.Tenant.Value), new("queue", q.Name)];

    public static void CallOffered(QueueId q) => Offered.Add(1, Tags(q));

    public static void CallDequeued(QueueId q, string reason, double waitSeconds)
    {
        switch (reason)
        {
            case DequeueReason.Answered:
                Answered.Add(1, Tags(q));
                WaitTime.Record(waitSeconds, [.. Tags(q), new("outcome", "answered")]);
                break;
            case DequeueReason.Abandoned:
                Abandoned.Add(1, Tags(q));
                WaitTime.Record(waitSeconds, [.. Tags(q), new("outcome", "abandoned")]);
                break;
            case DequeueReason.Overflowed:
                Overflowed.Add(1, Tags(q));
                break;
        }
    }

    public static void CallHandled(QueueId q, double seconds) => HandleTime.Record(seconds, Tags(q));

    public static void Waiting(QueueId q, int count) => WaitingByQueue[q] = count;

    public static void QueueStopped(QueueId q) => WaitingByQueue.TryRemove(q, out _);

    public static void OperatorState(ActorSystem system, OperatorId op, OperatorStatus status) =>
        OperatorStates[(system.Name + system.GetHashCode(), op.Value)] = status;

    public static void OperatorStopped(ActorSystem system, OperatorId op) => OperatorStates.TryRemove((system.Name + system.GetHashCode(), op.Value), out _);

    public static void Decision(TimeSpan elapsed) => DecisionTime.Record(elapsed.TotalSeconds);

    public static void JournalWritten(long startTimestamp) => JournalWrite.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    /// <summary>Reports <paramref name="system"/>'s view of the membership (one node per process, several in tests).</summary>
    public static void Observe(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var key = cluster.SelfAddress.ToString();
        Clusters[key] = cluster;
        system.RegisterOnTermination(() => Clusters.TryRemove(key, out _));
    }

    private static IEnumerable<Measurement<int>> MemberCounts()
    {
        foreach (var (node, cluster) in Clusters)
        {
            var state = cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            foreach (var status in Enum.GetValues<MemberStatus>())
            {
                var n = state.Members.Count(m => m.Status == status);
                yield return new Measurement<int>(n, new("status", status.ToString().ToLowerInvariant()), new("node", node));
            }
            yield return new Measurement<int>(unreachable.Count, new("status", "unreachable"), new("node", node));
        }
    }

    private static string Name(OperatorStatus s) => s switch
    {
        OperatorStatus.LoggedOut => "logged-out",
        OperatorStatus.Ready => "ready",
        OperatorStatus.Reserved => "reserved",
        OperatorStatus.OnCall => "on-call",
        OperatorStatus.WrapUp => "wrap-up",
        OperatorStatus.NotReady => "not-ready",
        _ => s.ToString(),
    };
}
