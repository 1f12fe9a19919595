using System.Collections.Immutable;
using Routing.Domain.Config;

namespace Routing.Domain.Routing;

/// <summary>
/// The matching core of one routing pool: waiting calls of all the pool's queues against its logged-in
/// operators. Pure and single-threaded; the router actor, the simulator and the benchmarks all use it.
/// CONTRACT (implementation pending): see the XML docs of each member.
/// </summary>
public sealed class PoolMatcher
{
    /// <param name="queues">The configuration of every queue of the pool.</param>
    public PoolMatcher(IEnumerable<QueueConfig> queues) => throw new NotImplementedException();

    /// <summary>Replace the queue configurations (config changed at run time).</summary>
    public void SetQueues(IEnumerable<QueueConfig> queues) => throw new NotImplementedException();

    /// <summary>Add or replace an operator; status LoggedOut removes it.</summary>
    public void UpsertOperator(OperatorSnapshot op) => throw new NotImplementedException();

    public void RemoveOperator(OperatorId id) => throw new NotImplementedException();

    public void UpsertCall(WaitingCall call) => throw new NotImplementedException();

    public void RemoveCall(CallId id) => throw new NotImplementedException();

    public int WaitingCount => throw new NotImplementedException();
    public int ReadyCount => throw new NotImplementedException();
    public int LoggedInCount => throw new NotImplementedException();
    public IEnumerable<WaitingCall> WaitingCalls => throw new NotImplementedException();
    public IEnumerable<OperatorSnapshot> Operators => throw new NotImplementedException();

    /// <summary>
    /// Greedy matching at <paramref name="now"/>: calls in pool order (priority, then weighted waiting time),
    /// each given the best ready operator that fits it under its queue's strategy. A matched call is removed;
    /// a matched operator is kept with status Reserved (so it is not offered again until re-announced).
    /// </summary>
    public IReadOnlyList<RoutingDecision> Match(DateTimeOffset now, int max = int.MaxValue) => throw new NotImplementedException();

    /// <summary>True when some logged-in operator (any status but LoggedOut) could ever serve this call.</summary>
    public bool AnyLoggedInCouldServe(CallId call, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>Position and expected wait of a waiting call; null when unknown.</summary>
    public WaitEstimate? Estimate(CallId call, DateTimeOffset now, TimeSpan averageHandleTime) => throw new NotImplementedException();

    /// <summary>Earliest future moment when a waiting call's requirements relax (the router re-matches then).</summary>
    public DateTimeOffset? NextRelaxationAt(DateTimeOffset now) => throw new NotImplementedException();
}
