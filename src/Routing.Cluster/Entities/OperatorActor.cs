using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Routing.Cluster.Config;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Domain.Operators;
using Routing.Domain.Routing;

namespace Routing.Cluster.Entities;

/// <summary>
/// One operator: the single arbiter of its availability. Persists every change, announces its state to the
/// routers of the pools it serves, and frees itself when a reservation's lease or a wrap-up ends.
/// </summary>
public sealed class OperatorActor : RoutingEntity
{
    private readonly OperatorId _id;
    private OperatorState _state = OperatorState.Initial;
    private ICancelable? _deadline;
    private ICancelable? _callCheck;

    public static Props Props(string id, RoutingSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new OperatorActor(id, settings, clock));

    public OperatorActor(string id, RoutingSettings settings, TimeProvider clock) : base(settings, clock) => _id = new OperatorId(id);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: OperatorState s }: _state = s; break;
            case OperatorEvent e: _state = _state.Apply(e); break;
            case RecoveryCompleted: OnRecovered(); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case OperatorEnvelope m: Handle(m.Command); break;
            case GetOperatorState: Sender.Tell(new OperatorStateReply(_id.Value, Profile is not null, _state)); break;
            case AnnounceOperator m: AnnounceTo(m.Pool); break;
            case DeadlineReached: Handle(new OperatorCommand.CheckDeadlines(), reply: false); break;
            case CheckCall: CheckCallGoesOn(); break;
            case CallChecked c: OnCallChecked(c); break;
            case ReceiveTimeout: PassivateIfIdle(); break;
            default:
                if (!HandleSnapshotReplies(message)) Unhandled(message);
                break;
        }
    }

    public override string PersistenceId => $"operator-{_id.Value}";

    private OperatorConfig? Profile => ConfigView.Current.FindOperator(_id);

    private void OnRecovered()
    {
        RoutingMetrics.OperatorState(Context.System, _id, _state.Status);
        ScheduleDeadline();
        ScheduleCallCheck();
        // After a move or restart, routers learn of this operator again without being asked.
        if (_state.Status != OperatorStatus.LoggedOut) Announce();
        UpdatePassivation();
    }

    private void Handle(OperatorCommand command, bool reply = true)
    {
        var profile = Profile;
        if (profile is null && command is not OperatorCommand.Release and not OperatorCommand.EndCall and not OperatorCommand.CheckDeadlines)
        {
            if (reply) Sender.Tell(new OperatorCommandReply(OperatorReply.Refused($"operator {_id} is not configured"), _state));
            return;
        }
        var wrapUp = TimeSpan.FromSeconds(profile?.WrapUpSeconds ?? 0);
        var (events, answer) = _state.Process(command, Now, wrapUp);
        var sender = Sender;
        if (events.IsEmpty)
        {
            if (reply) sender.Tell(new OperatorCommandReply(answer, _state));
            return;
        }
        PersistAllThen(events, e => _state = _state.Apply(e), () =>
        {
            if (reply) sender.Tell(new OperatorCommandReply(answer, _state));
            RoutingMetrics.OperatorState(Context.System, _id, _state.Status);
            ScheduleDeadline();
            ScheduleCallCheck();
            Announce();
            UpdatePassivation();
            SnapshotIfDue(_state);
        });
    }

    private void ScheduleDeadline()
    {
        _deadline?.Cancel();
        _deadline = null;
        if (_state.NextDeadline is not { } at) return;
        _deadline = ScheduleAt(at, DeadlineReached.Instance);
    }

    /// <summary>
    /// Reconciliation: "on call" is the one state without a deadline, so while in it the operator asks its call entity
    /// now and then whether the call is still its own and not over. The call's EndCall is a plain message and is lost
    /// when a node dies between the two entities; without this check the operator would stay on call for ever.
    /// </summary>
    private void ScheduleCallCheck()
    {
        if (_state.Status == OperatorStatus.OnCall && _state.Call is not null)
        {
            _callCheck ??= Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(
                Settings.OperatorCallCheck, Settings.OperatorCallCheck, Self, CheckCall.Instance, Self);
        }
        else
        {
            _callCheck?.Cancel();
            _callCheck = null;
        }
    }

    private void CheckCallGoesOn()
    {
        if (_state.Status != OperatorStatus.OnCall || _state.Call is not { } call) return;
        var self = Self;
        Regions.Calls.Ask<CallStateReply>(new GetCallState(call.Value), Settings.AskTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? new CallChecked(call, t.Result.State.Phase == Domain.Calls.CallPhase.Ended || t.Result.State.Operator != _id)
                : new CallChecked(call, false)) // no answer: ask again at the next tick
            .PipeTo(self);
    }

    private void OnCallChecked(CallChecked c)
    {
        if (!c.Over || _state.Status != OperatorStatus.OnCall || _state.Call != c.Call) return;
        Context.GetLogger().Warning("Operator {0}: call {1} is over but its end never arrived; ending it here", _id, c.Call);
        Handle(new OperatorCommand.EndCall(c.Call), reply: false);
    }

    /// <summary>The snapshot routers keep of this operator.</summary>
    private OperatorSnapshot Snapshot(OperatorConfig p) => new(
        _id, p.Skills, p.Tier, p.Tenants, _state.Status, _state.Since, _state.CallsHandled, _state.TalkTime, _state.LastOfferedAt);

    private void Announce()
    {
        var p = Profile;
        if (p is null) return;
        var snap = Snapshot(p);
        foreach (var pool in ConfigView.Current.PoolsOfOperator(p))
            Regions.Routers.Tell(new RouterEnvelope(pool.Value, new RouterMessage.OperatorChanged(snap)));
    }

    private void AnnounceTo(PoolId pool)
    {
        var p = Profile;
        if (p is null || _state.Status == OperatorStatus.LoggedOut) return;
        Regions.Routers.Tell(new RouterEnvelope(pool.Value, new RouterMessage.OperatorChanged(Snapshot(p))));
        UpdatePassivation();
    }

    private void UpdatePassivation() =>
        Context.SetReceiveTimeout(_state.Status == OperatorStatus.LoggedOut ? Settings.PassivateLoggedOutOperatorAfter : null);

    private void PassivateIfIdle()
    {
        if (_state.Status == OperatorStatus.LoggedOut) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    protected override void PostStop()
    {
        _deadline?.Cancel();
        _callCheck?.Cancel();
        RoutingMetrics.OperatorStopped(Context.System, _id);
        base.PostStop();
    }

    private sealed record CallChecked(CallId Call, bool Over);

    private sealed class CheckCall
    {
        public static readonly CheckCall Instance = new();
    }

    private sealed class DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }
}
