using System.Collections.Immutable;
using Routing.Domain.Config;

namespace Routing.Domain.Routing;

/// <summary>An operator's availability, as decided by its own entity.</summary>
public enum OperatorStatus
{
    LoggedOut,
    Ready,
    Reserved,
    OnCall,
    WrapUp,
    NotReady,
}

/// <summary>What a router knows of one logged-in operator (announced by the operator entity on every change).</summary>
public sealed record OperatorSnapshot(
    OperatorId Id,
    ImmutableDictionary<string, int> Skills,
    int Tier,
    ImmutableArray<TenantId> Tenants,
    OperatorStatus Status,
    DateTimeOffset StatusSince,
    int CallsHandled,
    TimeSpan TalkTime,
    DateTimeOffset? LastOfferedAt);

/// <summary>What a router knows of one waiting call (announced by its queue entity).</summary>
/// <param name="ArrivalSeq">Tie-break for equal enqueue times: the queue's arrival counter.</param>
/// <param name="ExtraTiers">Tiers added by tier-overflow (escalation) on top of the queue's own.</param>
/// <param name="Only">A call transferred to one operator: only that operator may take it (tiers and skills aside).</param>
public sealed record WaitingCall(
    CallId Id,
    QueueId Queue,
    int Priority,
    DateTimeOffset EnqueuedAt,
    long ArrivalSeq,
    ImmutableArray<int> ExtraTiers,
    OperatorId? Only = null);

/// <summary>One operator considered for a call, with its score under the queue's strategy.</summary>
public sealed record Candidate(OperatorId Operator, double Score, string Reason);

/// <summary>An explainable routing decision: who could take the call, their scores, and why the chosen one won.</summary>
public sealed record RoutingDecision(
    CallId Call,
    QueueId Queue,
    OperatorId Chosen,
    RoutingStrategy Strategy,
    ImmutableArray<SkillRequirement> Requirements,
    int RelaxationStep,
    int CandidateCount,
    ImmutableArray<Candidate> TopCandidates,
    string Why,
    DateTimeOffset DecidedAt);

/// <summary>Position in the queue (1 = next) and expected wait for a waiting call.</summary>
public sealed record WaitEstimate(int Position, TimeSpan ExpectedWait, int ServingOperators);
