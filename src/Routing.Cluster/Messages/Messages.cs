using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Operators;
using Routing.Domain.Queues;
using Routing.Domain.Routing;

namespace Routing.Cluster.Messages;

/// <summary>Binds every cluster message and event of Routing to the one Routing serializer.</summary>
public interface IRoutingMessage;

/// <summary>A message for a sharded entity: carries the entity id used for shard extraction.</summary>
public interface IEntityMessage : IRoutingMessage
{
    string EntityId { get; }
}

// ---- Operator entity -------------------------------------------------------------------------
public sealed record OperatorEnvelope(string EntityId, OperatorCommand Command) : IEntityMessage;

public sealed record GetOperatorState(string EntityId) : IEntityMessage;

/// <summary>A router (re)starting asks the entity to announce itself to that pool.</summary>
public sealed record AnnounceOperator(string EntityId, PoolId Pool) : IEntityMessage;

public sealed record OperatorStateReply(string Id, bool Configured, OperatorState State) : IRoutingMessage;

public sealed record OperatorCommandReply(OperatorReply Reply, OperatorState State) : IRoutingMessage;

// ---- Call entity -----------------------------------------------------------------------------
public sealed record CallEnvelope(string EntityId, CallCommand Command) : IEntityMessage;

public sealed record GetCallState(string EntityId) : IEntityMessage;

public sealed record CallStateReply(CallState State, ImmutableArray<CallEvent> History, int? Position, double? ExpectedWaitSeconds) : IRoutingMessage;

public sealed record CallCommandReply(CallReply Reply, CallState State) : IRoutingMessage;

// ---- Queue entity ----------------------------------------------------------------------------
public sealed record QueueEnvelope(string EntityId, QueueCommand Command) : IEntityMessage;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(Enqueue), "enqueue")]
[JsonDerivedType(typeof(Requeue), "requeue")]
[JsonDerivedType(typeof(Ringing), "ringing")]
[JsonDerivedType(typeof(Dequeue), "dequeue")]
[JsonDerivedType(typeof(Handled), "handled")]
[JsonDerivedType(typeof(NoOperators), "no-operators")]
[JsonDerivedType(typeof(Announce), "announce")]
[JsonDerivedType(typeof(GetFigures), "figures")]
public abstract record QueueCommand
{
    public sealed record Enqueue(CallId Call, int Priority, DateTimeOffset FirstQueuedAt, OperatorId? Only = null) : QueueCommand;
    public sealed record Requeue(CallId Call) : QueueCommand;
    public sealed record Ringing(CallId Call) : QueueCommand;
    /// <summary>The call leaves the queue; answered with <see cref="DequeueAck"/>, repeated by the call until then (idempotent).
    /// <paramref name="FirstQueuedAt"/> lets a queue that never saw the call (its Enqueue was lost with a node) count it.</summary>
    public sealed record Dequeue(CallId Call, string Reason, int Priority = 0, DateTimeOffset? FirstQueuedAt = null) : QueueCommand;
    public sealed record Handled(CallId Call, double HandleSeconds) : QueueCommand;
    /// <summary>From the router: no logged-in operator could ever serve this call.</summary>
    public sealed record NoOperators(CallId Call) : QueueCommand;
    /// <summary>From a (re)starting router: announce every waiting call.</summary>
    public sealed record Announce : QueueCommand;
    public sealed record GetFigures : QueueCommand;
}

public sealed record QueueAck(CallId Call, bool Accepted, string? Reason) : IRoutingMessage;

/// <summary>The queue has taken the call's Dequeue (or had already).</summary>
public sealed record DequeueAck(CallId Call, QueueId Queue) : IRoutingMessage;

/// <param name="Entries">The waiting calls in the order the queue serves them (for `routingctl queue show`).</param>
public sealed record QueueFiguresReply(QueueId Queue, int Waiting, DateTimeOffset? OldestWaitingSince, QueueFigures Figures,
    ImmutableList<Routing.Domain.Queues.QueueEntry>? Entries = null) : IRoutingMessage;

// ---- Router (per pool) -----------------------------------------------------------------------
public sealed record RouterEnvelope(string EntityId, RouterMessage Message) : IEntityMessage;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(CallWaiting), "waiting")]
[JsonDerivedType(typeof(CallGone), "gone")]
[JsonDerivedType(typeof(OperatorChanged), "operator")]
[JsonDerivedType(typeof(QueueAlive), "queue-alive")]
[JsonDerivedType(typeof(GetOperatorCounts), "counts")]
[JsonDerivedType(typeof(GetEstimate), "estimate")]
public abstract record RouterMessage
{
    public sealed record CallWaiting(WaitingCall Call) : RouterMessage;
    /// <summary>The call left <paramref name="Queue"/>; it may already wait in another queue (overflow, transfer).</summary>
    public sealed record CallGone(CallId Call, QueueId Queue) : RouterMessage;
    public sealed record OperatorChanged(OperatorSnapshot Operator) : RouterMessage;
    /// <summary>A queue with waiting calls reminds the router it exists (restarts a router lost with its node).</summary>
    public sealed record QueueAlive(QueueId Queue, int Waiting, double HandleTimeSeconds) : RouterMessage;
    public sealed record GetOperatorCounts(QueueId Queue) : RouterMessage;
    public sealed record GetEstimate(CallId Call) : RouterMessage;
}

public sealed record OperatorCountsReply(ImmutableDictionary<string, int> ByState) : IRoutingMessage;

public sealed record EstimateReply(CallId Call, int? Position, double? ExpectedWaitSeconds) : IRoutingMessage;

// ---- Configuration ---------------------------------------------------------------------------
/// <summary>A persisted run-time configuration change: kind (tenant, queue, operator), id, and the object in the config file format (null = deleted).</summary>
public sealed record ConfigChangeRecorded(DateTimeOffset At, string Kind, string Id, string? Text) : IRoutingMessage;

public sealed record ConfigStoreEnvelope(string EntityId, ConfigStoreCommand Command) : IEntityMessage;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(GetOverlay), "get")]
[JsonDerivedType(typeof(Record), "record")]
public abstract record ConfigStoreCommand
{
    public sealed record GetOverlay : ConfigStoreCommand;
    public sealed record Record(string Kind, string Id, string? Text) : ConfigStoreCommand;
}

/// <summary>The run-time changes on top of the file, in order; published cluster-wide after every change.</summary>
public sealed record ConfigOverlay(long Version, ImmutableArray<ConfigChangeRecorded> Changes) : IRoutingMessage;
