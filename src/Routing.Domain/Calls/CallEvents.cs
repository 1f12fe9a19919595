using System.Text.Json.Serialization;
using Routing.Domain.Routing;

namespace Routing.Domain.Calls;

/// <summary>
/// What happened to a call: its journal is its complete, readable history. Never rename or reorder fields
/// once released; add new event types instead.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(CallStarted), "started")]
[JsonDerivedType(typeof(CallClosedRuleApplied), "closed")]
[JsonDerivedType(typeof(CallMenuEntered), "menu")]
[JsonDerivedType(typeof(CallDigitPressed), "digit")]
[JsonDerivedType(typeof(CallQueued), "queued")]
[JsonDerivedType(typeof(CallOfferedToOperator), "offered")]
[JsonDerivedType(typeof(CallOfferFailed), "offer-failed")]
[JsonDerivedType(typeof(CallConnected), "connected")]
[JsonDerivedType(typeof(CallTransferred), "transferred")]
[JsonDerivedType(typeof(CallOverflowed), "overflowed")]
[JsonDerivedType(typeof(CallEnded), "ended")]
public abstract record CallEvent(DateTimeOffset At);

public sealed record CallStarted(DateTimeOffset At, CallId Call, TenantId Tenant, string Number, string Caller, string Channel) : CallEvent(At);

/// <summary>The tenant or queue was closed; the closed-rule was applied.</summary>
public sealed record CallClosedRuleApplied(DateTimeOffset At, string Scope, string Rule) : CallEvent(At);

/// <param name="Path">Digits from the menu root to this menu ("" = root).</param>
public sealed record CallMenuEntered(DateTimeOffset At, string Path, string Prompt) : CallEvent(At);

/// <param name="Outcome">What the digit did, in words (e.g. "queue sales", "info: We are at...", "invalid, replayed").</param>
public sealed record CallDigitPressed(DateTimeOffset At, string Digit, string Path, string Outcome) : CallEvent(At);

/// <param name="FirstQueuedAt">When the caller first started waiting; kept across overflow and no-answer.</param>
public sealed record CallQueued(DateTimeOffset At, QueueId Queue, int Priority, DateTimeOffset FirstQueuedAt) : CallEvent(At)
{
    /// <summary>Transferred to this operator: the call waits for them only.</summary>
    public OperatorId? Only { get; init; }
}

/// <summary>A router reserved an operator for the call; the phone rings until <paramref name="RingUntil"/>. Carries the explainable decision.</summary>
public sealed record CallOfferedToOperator(DateTimeOffset At, ReservationId Reservation, OperatorId Operator, DateTimeOffset RingUntil, RoutingDecision? Decision) : CallEvent(At);

/// <summary>The offer ended without an answer (no-answer, busy, declined, operator lost); the call is back at its place.</summary>
public sealed record CallOfferFailed(DateTimeOffset At, ReservationId Reservation, OperatorId Operator, string Reason) : CallEvent(At);

public sealed record CallConnected(DateTimeOffset At, ReservationId Reservation, OperatorId Operator, double WaitSeconds) : CallEvent(At);

public sealed record CallTransferred(DateTimeOffset At, string Target, string By) : CallEvent(At);

public sealed record CallOverflowed(DateTimeOffset At, QueueId From, string Target) : CallEvent(At);

/// <param name="Cause">completed, abandoned, overflowed-out, transferred-out, closed, failed.</param>
public sealed record CallEnded(DateTimeOffset At, string Cause, string Detail) : CallEvent(At);

/// <summary>Terminal causes of a call.</summary>
public static class CallEndCause
{
    public const string Completed = "completed";
    public const string Abandoned = "abandoned";
    public const string OverflowedOut = "overflowed-out";
    public const string TransferredOut = "transferred-out";
    public const string Closed = "closed";
    public const string Failed = "failed";
}
