using System.Text.Json.Serialization;
using Routing.Domain.Routing;

namespace Routing.Domain.Calls;

/// <summary>What can be asked of a call entity (by a channel, a queue, a router or an operator entity).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$t")]
[JsonDerivedType(typeof(Start), "start")]
[JsonDerivedType(typeof(Digit), "digit")]
[JsonDerivedType(typeof(MenuTimeout), "menu-timeout")]
[JsonDerivedType(typeof(Offer), "offer")]
[JsonDerivedType(typeof(Answer), "answer")]
[JsonDerivedType(typeof(ConnectResult), "connect-result")]
[JsonDerivedType(typeof(Reject), "reject")]
[JsonDerivedType(typeof(RingTimeout), "ring-timeout")]
[JsonDerivedType(typeof(HangUp), "hangup")]
[JsonDerivedType(typeof(Transfer), "transfer")]
[JsonDerivedType(typeof(Overflow), "overflow")]
[JsonDerivedType(typeof(Fail), "fail")]
public abstract record CallCommand
{
    /// <param name="Digits">Menu digits already known (e.g. dialled with the number, or a non-SIP channel): applied in the same write.</param>
    /// <param name="Queue">A queue of the call's tenant to join at once, skipping the menu (calls from a trunk configured so).</param>
    public sealed record Start(string Number, string Caller, string Channel, string? Digits = null, string? Queue = null) : CallCommand;
    public sealed record Digit(char Value) : CallCommand;
    public sealed record MenuTimeout : CallCommand;
    /// <summary>From a router: the operator is reserved for this call.</summary>
    public sealed record Offer(ReservationId Reservation, OperatorId Operator, RoutingDecision? Decision) : CallCommand;
    /// <summary>From the channel: the offered operator picked up.</summary>
    public sealed record Answer(OperatorId Operator) : CallCommand;
    /// <summary>From the operator entity: whether it accepted the connection of this reservation.</summary>
    /// <param name="Operator">The operator asked to connect: a call that is no longer ringing it frees it again.</param>
    public sealed record ConnectResult(ReservationId Reservation, bool Accepted, string? Reason, OperatorId? Operator = null) : CallCommand;
    /// <summary>From the channel: the operator's phone said busy/declined/no-answer.</summary>
    public sealed record Reject(OperatorId Operator, string Reason) : CallCommand;
    public sealed record RingTimeout(ReservationId Reservation) : CallCommand;
    /// <summary>Side: "caller" or "operator" (or "system").</summary>
    public sealed record HangUp(string Side) : CallCommand;
    /// <summary>Blind transfer: a queue name of the tenant ("tenant/queue" also accepted) or an external SIP URI.</summary>
    public sealed record Transfer(string Target, string By) : CallCommand;
    /// <summary>From the queue: an overflow rule moved the call out of it.</summary>
    public sealed record Overflow(QueueId From, string Target) : CallCommand;
    /// <summary>The channel lost the call (media leg gone): close it as failed.</summary>
    public sealed record Fail(string Reason) : CallCommand;
}

/// <summary>Something the call entity asks other entities or the channel to do after persisting.</summary>
public abstract record CallEffect
{
    public sealed record Enqueue(QueueId Queue, int Priority, DateTimeOffset FirstQueuedAt) : CallEffect;
    /// <summary>The call is back at its place in the queue (after a failed offer): the queue re-announces it.</summary>
    public sealed record Requeue(QueueId Queue) : CallEffect;
    public sealed record Dequeue(QueueId Queue, string Reason) : CallEffect;
    /// <summary>The call rings an operator: its queue stops announcing it until it comes back.</summary>
    public sealed record Ringing(QueueId Queue) : CallEffect;
    public sealed record Handled(QueueId Queue, double HandleSeconds) : CallEffect;
    public sealed record ReleaseOperator(OperatorId Operator, ReservationId Reservation, string Reason, TimeSpan? Pause, bool UndoConnect = false) : CallEffect;
    public sealed record ConnectOperator(OperatorId Operator, ReservationId Reservation) : CallEffect;
    public sealed record EndOperatorCall(OperatorId Operator) : CallEffect;
    /// <summary>Tell the channel (gateway) what to do with the media leg: ring an operator, bridge, play, forward, hang up.</summary>
    public sealed record Channel(string Action, string? Target) : CallEffect;
}

/// <summary>The answer of a call entity to a command; Accepted=false carries why.</summary>
public sealed record CallReply(bool Accepted, string? Reason)
{
    public static readonly CallReply Ok = new(true, null);
    public static CallReply Refused(string reason) => new(false, reason);
}
