using System.Text.Json.Serialization;

namespace Routing.Domain.Operators;

/// <summary>What can be asked of an operator entity.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(LogIn), "login")]
[JsonDerivedType(typeof(MakeReady), "ready")]
[JsonDerivedType(typeof(MakeNotReady), "notready")]
[JsonDerivedType(typeof(LogOut), "logout")]
[JsonDerivedType(typeof(Reserve), "reserve")]
[JsonDerivedType(typeof(Release), "release")]
[JsonDerivedType(typeof(Connect), "connect")]
[JsonDerivedType(typeof(EndCall), "endcall")]
[JsonDerivedType(typeof(CheckDeadlines), "tick")]
public abstract record OperatorCommand
{
    public sealed record LogIn : OperatorCommand;
    public sealed record MakeReady : OperatorCommand;
    public sealed record MakeNotReady(string Reason) : OperatorCommand;
    public sealed record LogOut : OperatorCommand;
    /// <summary>A router asks to hold the operator for a call; accepted only when Ready (or the same reservation again).</summary>
    public sealed record Reserve(ReservationId Reservation, CallId Call, TimeSpan Lease) : OperatorCommand;
    /// <summary>The call gives the reservation back; with Pause the operator goes not-ready (e.g. no-answer) for that long.</summary>
    /// <param name="UndoConnect">Also when the operator is already connected under this reservation: the call refused
    /// the connection (it ended, or stopped ringing, as the operator picked up). Only the call may say so.</param>
    public sealed record Release(ReservationId Reservation, string Reason, TimeSpan? Pause, bool UndoConnect = false) : OperatorCommand;
    public sealed record Connect(ReservationId Reservation, CallId Call) : OperatorCommand;
    public sealed record EndCall(CallId Call) : OperatorCommand;
    /// <summary>Time passed: apply expired leases, wrap-up ends and back-off ends.</summary>
    public sealed record CheckDeadlines : OperatorCommand;
}

/// <summary>The answer of an operator entity to a command.</summary>
public sealed record OperatorReply(bool Accepted, string? Reason)
{
    public static readonly OperatorReply Ok = new(true, null);
    public static OperatorReply Refused(string reason) => new(false, reason);
}
