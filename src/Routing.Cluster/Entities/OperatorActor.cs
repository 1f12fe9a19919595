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
        ScheduleDeadline();
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
            ScheduleDeadline();
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
        base.PostStop();
    }

    private sealed class DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }
}
