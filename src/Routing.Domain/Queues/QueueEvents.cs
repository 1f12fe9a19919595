using System.Text.Json.Serialization;

namespace Routing.Domain.Queues;

/// <summary>What happened in a queue; the queue's journal. Never rename or reorder fields once released.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(CallEnqueued), "enqueued")]
[JsonDerivedType(typeof(CallEscalated), "escalated")]
[JsonDerivedType(typeof(CallDequeued), "dequeued")]
[JsonDerivedType(typeof(CallHandled), "handled")]
public abstract record QueueEvent(DateTimeOffset At);

/// <param name="FirstQueuedAt">When the caller first started waiting (kept across overflow and no-answer, so a caller never loses its place).</param>
/// <param name="Seq">The queue's arrival counter: a stable tie-break.</param>
public sealed record CallEnqueued(DateTimeOffset At, CallId Call, int Priority, DateTimeOffset FirstQueuedAt, long Seq) : QueueEvent(At)
{
    /// <summary>Transferred to this operator: only they may take the call.</summary>
    public OperatorId? Only { get; init; }
}

/// <summary>A tier-overflow rule fired: the call is now offered to operators of that tier too.</summary>
public sealed record CallEscalated(DateTimeOffset At, CallId Call, int Tier, int RuleIndex) : QueueEvent(At);

/// <summary>A call left the waiting list: answered, abandoned, overflowed, transferred or failed.</summary>
public sealed record CallDequeued(DateTimeOffset At, CallId Call, string Reason, double WaitSeconds) : QueueEvent(At);

/// <summary>A call answered from this queue ended: its handle time feeds the AHT and wait estimates.</summary>
public sealed record CallHandled(DateTimeOffset At, CallId Call, double HandleSeconds) : QueueEvent(At);

/// <summary>Why a call left a queue.</summary>
public static class DequeueReason
{
    public const string Answered = "answered";
    public const string Abandoned = "abandoned";
    public const string Overflowed = "overflowed";
    public const string Transferred = "transferred";
    public const string Failed = "failed";
}
