using System.Collections.Immutable;
using Routing.Domain.Routing;

namespace Routing.Domain.Operators;

/// <summary>
/// An operator's availability, the fold of its journal. The operator entity is the only arbiter of it:
/// it holds at most one reservation or call at a time, whatever routers ask.
/// </summary>
public sealed record OperatorState(
    OperatorStatus Status,
    DateTimeOffset Since,
    string? Reason,
    DateTimeOffset? Until,
    ReservationId? Reservation,
    CallId? Call,
    DateTimeOffset? LeaseUntil,
    string? PendingNotReady,
    int CallsHandled,
    TimeSpan TalkTime,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? LastOfferedAt)
{
    public static readonly OperatorState Initial = new(OperatorStatus.LoggedOut, DateTimeOffset.MinValue, null, null,
        null, null, null, null, 0, TimeSpan.Zero, null, null);

    public const string NoAnswer = "no-answer";

    /// <summary>The earliest moment at which time alone changes this state (lease, wrap-up or back-off end).</summary>
    public DateTimeOffset? NextDeadline => Status switch
    {
        OperatorStatus.Reserved => LeaseUntil,
        OperatorStatus.WrapUp => Until,
        OperatorStatus.NotReady => Until,
        _ => null,
    };

    /// <summary>Decide what a command does: the events to persist (possibly none) and the answer.</summary>
    /// <param name="wrapUp">The operator's configured after-call work time.</param>
    public (ImmutableArray<OperatorEvent> Events, OperatorReply Reply) Process(OperatorCommand command, DateTimeOffset now, TimeSpan wrapUp)
    {
        switch (command)
        {
            case OperatorCommand.LogIn:
                return Status == OperatorStatus.LoggedOut
                    ? ([new OperatorLoggedIn(now)], OperatorReply.Ok)
                    : ([], OperatorReply.Ok);

            case OperatorCommand.MakeReady:
                return Status switch
                {
                    OperatorStatus.LoggedOut => ([], OperatorReply.Refused("operator is logged out")),
                    OperatorStatus.NotReady => ([new OperatorBecameReady(now)], OperatorReply.Ok),
                    OperatorStatus.Ready => ([], OperatorReply.Ok),
                    // During call work "ready" cancels a pending not-ready.
                    _ when PendingNotReady is not null => ([new OperatorNotReadyRequested(now, "")], OperatorReply.Ok),
                    _ => ([], OperatorReply.Ok),
                };

            case OperatorCommand.MakeNotReady nr:
                var reason = string.IsNullOrWhiteSpace(nr.Reason) ? "not-ready" : nr.Reason.Trim();
                return Status switch
                {
                    OperatorStatus.LoggedOut => ([], OperatorReply.Refused("operator is logged out")),
                    OperatorStatus.Ready => ([new OperatorWentNotReady(now, reason, null)], OperatorReply.Ok),
                    OperatorStatus.NotReady when Reason == reason && Until is null => ([], OperatorReply.Ok),
                    OperatorStatus.NotReady => ([new OperatorWentNotReady(now, reason, null)], OperatorReply.Ok),
                    // Reserved, on call or in wrap-up: the call work finishes first.
                    _ => ([new OperatorNotReadyRequested(now, reason)], OperatorReply.Ok),
                };

            case OperatorCommand.LogOut:
                return Status switch
                {
                    OperatorStatus.LoggedOut => ([], OperatorReply.Ok),
                    OperatorStatus.Reserved or OperatorStatus.OnCall =>
                        ([], OperatorReply.Refused($"operator is {Describe(Status)}; log out after the call")),
                    _ => ([new OperatorLoggedOut(now)], OperatorReply.Ok),
                };

            case OperatorCommand.Reserve r:
                if (Status == OperatorStatus.Reserved && Reservation == r.Reservation)
                    return ([], OperatorReply.Ok); // duplicate: same answer as the first time
                if (Status != OperatorStatus.Ready)
                    return ([], OperatorReply.Refused($"operator is {Describe(Status)}"));
                return ([new OperatorReserved(now, r.Reservation, r.Call, now + r.Lease)], OperatorReply.Ok);

            case OperatorCommand.Release rel:
                // Connected under this reservation, but the call refused the connection (it had ended, or stopped
                // ringing, while this operator picked up): the operator is free again and no call was handled.
                if (rel.UndoConnect && Status == OperatorStatus.OnCall && Reservation == rel.Reservation)
                    return ([new OperatorReservationReleased(now, rel.Reservation, rel.Reason), .. AfterCallWork(now)], OperatorReply.Ok);
                if (Status != OperatorStatus.Reserved || Reservation != rel.Reservation)
                    return ([], OperatorReply.Ok); // already released or never held: nothing to do
                var released = new OperatorReservationReleased(now, rel.Reservation, rel.Reason);
                if (rel.Pause is { } pause)
                    return ([released, new OperatorWentNotReady(now, rel.Reason, now + pause)], OperatorReply.Ok);
                return ([released, .. AfterCallWork(now)], OperatorReply.Ok);

            case OperatorCommand.Connect c:
                if (Status == OperatorStatus.OnCall && Call == c.Call)
                    return ([], OperatorReply.Ok);
                if (Status != OperatorStatus.Reserved || Reservation != c.Reservation)
                    return ([], OperatorReply.Refused(Status == OperatorStatus.Reserved
                        ? "operator holds another reservation"
                        : $"reservation no longer held: operator is {Describe(Status)}"));
                return ([new OperatorConnected(now, c.Reservation, c.Call)], OperatorReply.Ok);

            case OperatorCommand.EndCall e:
                return EndCall(e.Call, wrapUp, now);

            case OperatorCommand.CheckDeadlines:
                return (Expire(now), OperatorReply.Ok);

            default:
                return ([], OperatorReply.Refused($"unknown command {command.GetType().Name}"));
        }
    }

    private (ImmutableArray<OperatorEvent> Events, OperatorReply Reply) EndCall(CallId call, TimeSpan wrapUp, DateTimeOffset now)
    {
        if (Status != OperatorStatus.OnCall || Call != call) return ([], OperatorReply.Ok);
        var ended = new OperatorCallEnded(now, call, now + wrapUp);
        return wrapUp > TimeSpan.Zero ? ([ended], OperatorReply.Ok) : ([ended, .. AfterCallWork(now)], OperatorReply.Ok);
    }

    private ImmutableArray<OperatorEvent> Expire(DateTimeOffset now)
    {
        if (NextDeadline is not { } deadline || deadline > now) return [];
        return Status switch
        {
            OperatorStatus.Reserved => [new OperatorReservationReleased(now, Reservation!.Value, "lease-expired"), .. AfterCallWork(now)],
            OperatorStatus.WrapUp => AfterCallWork(now),
            OperatorStatus.NotReady => [new OperatorBecameReady(now)],
            _ => [],
        };
    }

    private ImmutableArray<OperatorEvent> AfterCallWork(DateTimeOffset now) =>
        PendingNotReady is { Length: > 0 } reason
            ? [new OperatorWentNotReady(now, reason, null)]
            : [new OperatorBecameReady(now)];

    public OperatorState Apply(OperatorEvent e) => e switch
    {
        OperatorLoggedIn x => Initial with { Status = OperatorStatus.NotReady, Since = x.At, Reason = "logged-in", CallsHandled = CallsHandled, TalkTime = TalkTime },
        OperatorBecameReady x => this with { Status = OperatorStatus.Ready, Since = x.At, Reason = null, Until = null, Reservation = null, Call = null, LeaseUntil = null, PendingNotReady = null },
        OperatorWentNotReady x => this with { Status = OperatorStatus.NotReady, Since = x.At, Reason = x.Reason, Until = x.Until, Reservation = null, Call = null, LeaseUntil = null, PendingNotReady = null },
        OperatorNotReadyRequested x => this with { PendingNotReady = x.Reason.Length == 0 ? null : x.Reason },
        OperatorReserved x => this with { Status = OperatorStatus.Reserved, Since = x.At, Reason = null, Reservation = x.Reservation, Call = x.Call, LeaseUntil = x.LeaseUntil, LastOfferedAt = x.At },
        OperatorReservationReleased x => this with { Reservation = null, Call = null, LeaseUntil = null },
        OperatorConnected x => this with { Status = OperatorStatus.OnCall, Since = x.At, Call = x.Call, LeaseUntil = null, ConnectedAt = x.At },
        OperatorCallEnded x => this with
        {
            Status = OperatorStatus.WrapUp, Since = x.At, Until = x.WrapUpUntil, Reservation = null,
            CallsHandled = CallsHandled + 1,
            TalkTime = TalkTime + (ConnectedAt is { } c ? x.At - c : TimeSpan.Zero),
            ConnectedAt = null,
        },
        OperatorLoggedOut x => Initial with { Since = x.At, CallsHandled = CallsHandled, TalkTime = TalkTime },
        _ => this,
    };

    public static string Describe(OperatorStatus s) => s switch
    {
        OperatorStatus.LoggedOut => "logged out",
        OperatorStatus.Ready => "ready",
        OperatorStatus.Reserved => "reserved for another call",
        OperatorStatus.OnCall => "on a call",
        OperatorStatus.WrapUp => "in wrap-up",
        OperatorStatus.NotReady => "not ready",
        _ => s.ToString(),
    };
}
