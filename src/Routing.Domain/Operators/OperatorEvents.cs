using System.Text.Json.Serialization;

namespace Routing.Domain.Operators;

/// <summary>What happened to an operator; the operator's journal. Never rename or reorder fields once released.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(OperatorLoggedIn), "login")]
[JsonDerivedType(typeof(OperatorBecameReady), "ready")]
[JsonDerivedType(typeof(OperatorWentNotReady), "notready")]
[JsonDerivedType(typeof(OperatorNotReadyRequested), "notready-pending")]
[JsonDerivedType(typeof(OperatorReserved), "reserved")]
[JsonDerivedType(typeof(OperatorReservationReleased), "released")]
[JsonDerivedType(typeof(OperatorConnected), "connected")]
[JsonDerivedType(typeof(OperatorCallEnded), "ended")]
[JsonDerivedType(typeof(OperatorLoggedOut), "logout")]
public abstract record OperatorEvent(DateTimeOffset At);

public sealed record OperatorLoggedIn(DateTimeOffset At) : OperatorEvent(At);

public sealed record OperatorBecameReady(DateTimeOffset At) : OperatorEvent(At);

/// <param name="Until">When the operator becomes ready again by itself (no-answer back-off); null = until they say so.</param>
public sealed record OperatorWentNotReady(DateTimeOffset At, string Reason, DateTimeOffset? Until) : OperatorEvent(At);

/// <summary>Not-ready asked during a call or wrap-up: applied when the call work ends instead of becoming ready.</summary>
public sealed record OperatorNotReadyRequested(DateTimeOffset At, string Reason) : OperatorEvent(At);

public sealed record OperatorReserved(DateTimeOffset At, ReservationId Reservation, CallId Call, DateTimeOffset LeaseUntil) : OperatorEvent(At);

/// <summary>A reservation ended without a connected call (caller gone, rejected, lease expired).</summary>
public sealed record OperatorReservationReleased(DateTimeOffset At, ReservationId Reservation, string Reason) : OperatorEvent(At);

public sealed record OperatorConnected(DateTimeOffset At, ReservationId Reservation, CallId Call) : OperatorEvent(At);

/// <param name="WrapUpUntil">End of after-call work; equal to At when the operator has no wrap-up time.</param>
public sealed record OperatorCallEnded(DateTimeOffset At, CallId Call, DateTimeOffset WrapUpUntil) : OperatorEvent(At);

public sealed record OperatorLoggedOut(DateTimeOffset At) : OperatorEvent(At);
