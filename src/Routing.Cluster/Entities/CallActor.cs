using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Routing.Cluster.Config;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Config;
using Routing.Domain.Operators;

namespace Routing.Cluster.Entities;

/// <summary>
/// One call attempt. Its journal is the call's full history; it is the arbiter of "one operator per call",
/// drives the menu, and tells queues, operators and the channel what follows from each step.
/// </summary>
public sealed class CallActor : RoutingEntity
{
    private const int MaxHistory = 500;
    private static readonly TimeSpan EnqueueRetry = TimeSpan.FromSeconds(3);

    private readonly CallId _id;
    private CallState _state;
    private readonly List<CallEvent> _history = [];
    private IActorRef? _answerReplyTo;
    private ICancelable? _timer;
    private ICancelable? _enqueueRetry;
    private IActorRef? _channelActor;
    private bool _channelAsked;
    private int _channelAttempt;
    private ICancelable? _channelTimeout;
    private static readonly TimeSpan ChannelAnswerTimeout = TimeSpan.FromSeconds(5);
    private const int ChannelAttempts = 3;
    private readonly Dictionary<QueueId, (string Reason, int Attempts)> _dequeues = [];
    private readonly Dictionary<QueueId, ICancelable> _dequeueRetries = [];
    private static readonly TimeSpan DequeueRetry = TimeSpan.FromSeconds(3);
    private const int MaxDequeueAttempts = 40;

    public static Props Props(string id, RoutingSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new CallActor(id, settings, clock));

    public CallActor(string id, RoutingSettings settings, TimeProvider clock) : base(settings, clock)
    {
        _id = new CallId(id);
        _state = CallState.Initial(_id);
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case CallEvent e:
                _state = _state.Apply(e);
                Remember(e);
                break;
            case RecoveryCompleted:
                OnRecovered();
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case CallEnvelope m: Handle(m.Command, Sender); break;
            case GetCallState: Sender.Tell(new CallStateReply(_state, [.. _history], null, null)); break;
            case QueueAck ack: OnQueueAck(ack); break;
            case TimerFired t: OnTimer(t); break;
            case RetryEnqueue: SendEnqueue(); break;
            case RetryDequeue r: SendPendingDequeue(r.Queue); break;
            case DequeueAck a:
                _dequeues.Remove(a.Queue);
                if (_dequeueRetries.Remove(a.Queue, out var retry)) retry.Cancel();
                break;
            case CallCarried c when c.Call == _id: OnChannelAnswered(c.Carried, Sender); break;
            case ChannelCheckTimeout t when t.Attempt == _channelAttempt: OnChannelSilent(); break;
            case Terminated t when _channelActor is not null && t.ActorRef.Equals(_channelActor): OnChannelLost(); break;
            case ReceiveTimeout:
                if (_state.Phase is CallPhase.Ended or CallPhase.Queued && _answerReplyTo is null && _dequeues.Count == 0)
                    Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                break;
            default: Unhandled(message); break;
        }
    }

    public override string PersistenceId => $"call-{_id.Value}";

    private void Remember(CallEvent e)
    {
        if (_history.Count >= MaxHistory) _history.RemoveAt(1); // keep the start, drop the oldest after it
        _history.Add(e);
    }

    private void OnRecovered()
    {
        // Timers resume from journaled deadlines; a waiting call makes sure its queue still has it, a moment
        // later, so that the message that woke it (an offer, a hang-up) is handled first.
        if (_state.Phase == CallPhase.Queued)
            _enqueueRetry = Context.System.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(1), Self, RetryEnqueue.Instance, Self);
        RepeatDequeueAfterRecovery();
        Schedule();
        UpdatePassivation();
        WatchChannel();
    }

    /// <summary>
    /// A call whose media leg lives on a gateway actor watches it: if that gateway's node dies (or leaves without
    /// ending its calls) the call is closed as failed with that cause instead of waiting forever.
    /// </summary>
    private void WatchChannel()
    {
        if (_channelActor is not null || _channelAsked || _state.Phase is CallPhase.New or CallPhase.Ended) return;
        if (!ChannelInstruction.IsActorChannel(_state.Channel)) return;
        _channelAsked = true;
        AskChannel();
    }

    /// <summary>
    /// Asks the gateway whether it still carries this call (not merely whether it exists: a gateway restarted at the
    /// same address has the same path but none of the old calls). No answer at all means its node is gone.
    /// </summary>
    private void AskChannel()
    {
        _channelAttempt++;
        Context.ActorSelection(_state.Channel).Tell(new CarriesCall(_id), Self);
        _channelTimeout?.Cancel();
        _channelTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(ChannelAnswerTimeout, Self, new ChannelCheckTimeout(_channelAttempt), Self);
    }

    private void OnChannelAnswered(bool carried, IActorRef gateway)
    {
        _channelTimeout?.Cancel();
        if (_state.Phase is CallPhase.New or CallPhase.Ended || _channelActor is not null) return;
        if (!carried)
        {
            Handle(new CallCommand.Fail($"media leg lost: gateway {_state.Channel} no longer carries the call"), ActorRefs.Nobody);
            return;
        }
        _channelActor = gateway;
        Context.Watch(gateway);
    }

    private void OnChannelSilent()
    {
        if (_state.Phase is CallPhase.New or CallPhase.Ended || _channelActor is not null) return;
        if (_channelAttempt < ChannelAttempts) AskChannel();
        else OnChannelLost();
    }

    private void OnChannelLost()
    {
        _channelActor = null;
        if (_state.Phase is CallPhase.New or CallPhase.Ended) return;
        Handle(new CallCommand.Fail($"media leg lost: gateway {_state.Channel} is gone"), ActorRefs.Nobody);
    }

    private void Handle(CallCommand command, IActorRef sender)
    {
        var decision = _state.Process(command, Now, ConfigView.Current);
        if (command is CallCommand.Answer && decision.StartsAnswering)
        {
            _answerReplyTo = sender;
            _state = _state with { Answering = true };
            Execute(decision.Effects);
            return;
        }
        if (decision.Events.IsEmpty)
        {
            Execute(decision.Effects);
            Reply(command, sender, decision.Reply);
            return;
        }
        PersistAllThen(decision.Events, e =>
        {
            _state = _state.Apply(e);
            Remember(e);
        }, () =>
        {
            Execute(decision.Effects);
            Reply(command, sender, decision.Reply);
            Schedule();
            UpdatePassivation();
            WatchChannel();
        });
    }

    private void Reply(CallCommand command, IActorRef sender, CallReply reply)
    {
        if (command is CallCommand.ConnectResult)
        {
            _answerReplyTo?.Tell(new CallCommandReply(reply, _state));
            _answerReplyTo = null;
            return;
        }
        if (!sender.IsNobody() && !sender.Equals(Self)) sender.Tell(new CallCommandReply(reply, _state));
    }

    private void Execute(ImmutableArray<CallEffect> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case CallEffect.Enqueue:
                    SendEnqueue();
                    break;
                case CallEffect.Requeue r:
                    Regions.Queues.Tell(new QueueEnvelope(r.Queue.Value, new QueueCommand.Requeue(_id)), ActorRefs.NoSender);
                    break;
                case CallEffect.Ringing r:
                    Regions.Queues.Tell(new QueueEnvelope(r.Queue.Value, new QueueCommand.Ringing(_id)), ActorRefs.NoSender);
                    break;
                case CallEffect.Dequeue d:
                    _enqueueRetry?.Cancel();
                    SendDequeue(d.Queue, d.Reason);
                    break;
                case CallEffect.Handled h:
                    Regions.Queues.Tell(new QueueEnvelope(h.Queue.Value, new QueueCommand.Handled(_id, h.HandleSeconds)), ActorRefs.NoSender);
                    break;
                case CallEffect.ReleaseOperator rel:
                    Regions.Operators.Tell(new OperatorEnvelope(rel.Operator.Value, new OperatorCommand.Release(rel.Reservation, rel.Reason, rel.Pause, rel.UndoConnect)), ActorRefs.NoSender);
                    break;
                case CallEffect.EndOperatorCall end:
                    Regions.Operators.Tell(new OperatorEnvelope(end.Operator.Value, new OperatorCommand.EndCall(_id)), ActorRefs.NoSender);
                    break;
                case CallEffect.ConnectOperator c:
                    var self = Self;
                    var resv = c.Reservation;
                    var op = c.Operator;
                    Regions.Operators.Ask<OperatorCommandReply>(new OperatorEnvelope(c.Operator.Value, new OperatorCommand.Connect(resv, _id)), Settings.AskTimeout)
                        .ContinueWith(t => t.IsCompletedSuccessfully
                            ? new CallEnvelope(_id.Value, new CallCommand.ConnectResult(resv, t.Result.Reply.Accepted, t.Result.Reply.Reason, op))
                            : new CallEnvelope(_id.Value, new CallCommand.ConnectResult(resv, false, "operator did not confirm in time", op)))
                        .PipeTo(self);
                    break;
                case CallEffect.Channel ch:
                    var instruction = new ChannelInstruction(_id, _state.Channel, ch.Action, ch.Target);
                    if (ChannelInstruction.IsActorChannel(_state.Channel)) Context.ActorSelection(_state.Channel).Tell(instruction, Self);
                    else Context.System.EventStream.Publish(instruction);
                    break;
            }
        }
    }

    /// <summary>
    /// Leaving a queue is what its figures (answered, abandoned, overflowed) and its waiting list rest on, so it is
    /// repeated until the queue acknowledges it: a plain message is lost when either node dies. Idempotent at the queue.
    /// </summary>
    private void SendDequeue(QueueId queue, string reason)
    {
        _dequeues[queue] = (reason, 0);
        SendPendingDequeue(queue);
    }

    private void SendPendingDequeue(QueueId queue)
    {
        if (!_dequeues.TryGetValue(queue, out var p)) return;
        if (p.Attempts >= MaxDequeueAttempts)
        {
            Context.GetLogger().Warning("Call {0}: queue {1} did not acknowledge its dequeue ({2}) after {3} attempts", _id, queue, p.Reason, p.Attempts);
            _dequeues.Remove(queue);
            return;
        }
        _dequeues[queue] = (p.Reason, p.Attempts + 1);
        Regions.Queues.Tell(new QueueEnvelope(queue.Value, new QueueCommand.Dequeue(_id, p.Reason, _state.Priority, _state.FirstQueuedAt)), Self);
        _dequeueRetries.GetValueOrDefault(queue)?.Cancel();
        _dequeueRetries[queue] = Context.System.Scheduler.ScheduleTellOnceCancelable(DequeueRetry, Self, new RetryDequeue(queue), Self);
    }

    /// <summary>After a restart (its node died) the call repeats the dequeue its journal implies: the first may have been lost.</summary>
    private void RepeatDequeueAfterRecovery()
    {
        if (_state.Queue is not { } q || _state.FirstQueuedAt is null) return;
        var reason = _state.Phase switch
        {
            CallPhase.Connected => Routing.Domain.Queues.DequeueReason.Answered,
            CallPhase.Ended => _state.EndCause switch
            {
                CallEndCause.Completed => Routing.Domain.Queues.DequeueReason.Answered,
                CallEndCause.Abandoned => Routing.Domain.Queues.DequeueReason.Abandoned,
                CallEndCause.OverflowedOut => Routing.Domain.Queues.DequeueReason.Overflowed,
                _ => null,
            },
            _ => null,
        };
        if (reason is not null) SendDequeue(q, reason);
    }

    private void SendEnqueue()
    {
        _enqueueRetry?.Cancel();
        if (_state.Phase != CallPhase.Queued || _state.Queue is not { } q) return;
        Regions.Queues.Tell(new QueueEnvelope(q.Value, new QueueCommand.Enqueue(_id, _state.Priority, _state.FirstQueuedAt ?? Now, _state.TargetOperator)));
        _enqueueRetry = Context.System.Scheduler.ScheduleTellOnceCancelable(EnqueueRetry, Self, RetryEnqueue.Instance, Self);
    }

    private void OnQueueAck(QueueAck ack)
    {
        _enqueueRetry?.Cancel();
        if (!ack.Accepted && _state.Phase == CallPhase.Queued)
            Handle(new CallCommand.Fail(ack.Reason ?? "queue refused the call"), ActorRefs.Nobody);
    }

    private void Schedule()
    {
        _timer?.Cancel();
        _timer = null;
        DateTimeOffset? at = null;
        TimerFired? msg = null;
        switch (_state.Phase)
        {
            case CallPhase.Ringing when _state.RingUntil is { } ring && _state.Reservation is { } r:
                at = ring;
                msg = new TimerFired(r.Value, LastSequenceNr);
                break;
            case CallPhase.InMenu:
                var root = ConfigView.Current.FindTenant(_state.Tenant)?.Menu;
                var node = root is null ? null : CallState.MenuAt(root, _state.MenuPath);
                var last = _history.Count > 0 ? _history[^1].At : Now;
                at = last.AddSeconds(Math.Max(1, node?.TimeoutSeconds ?? 5));
                msg = new TimerFired(null, LastSequenceNr);
                break;
        }
        if (at is null || msg is null) return;
        _timer = ScheduleAt(at.Value, msg);
    }

    private void OnTimer(TimerFired t)
    {
        if (t.Seq != LastSequenceNr) return; // something happened since: that step rescheduled
        if (t.Reservation is { } r) Handle(new CallCommand.RingTimeout(new ReservationId(r)), Self);
        else Handle(new CallCommand.MenuTimeout(), Self);
    }

    /// <summary>
    /// An ended call stops soon; a call that has waited a while in a queue stops too (its queue keeps its
    /// place and its journal keeps the rest): a long backlog then costs a queue entry, not a live actor.
    /// </summary>
    private void UpdatePassivation() =>
        Context.SetReceiveTimeout(_state.Phase switch
        {
            CallPhase.Ended => Settings.PassivateEndedCallAfter,
            CallPhase.Queued => Settings.PassivateWaitingCallAfter,
            _ => null,
        });

    protected override void PostStop()
    {
        _timer?.Cancel();
        _enqueueRetry?.Cancel();
        foreach (var r in _dequeueRetries.Values) r.Cancel();
        _channelTimeout?.Cancel();
        base.PostStop();
    }

    private sealed record TimerFired(string? Reservation, long Seq);

    private sealed record RetryDequeue(QueueId Queue);

    private sealed record ChannelCheckTimeout(int Attempt);

    private sealed class RetryEnqueue
    {
        public static readonly RetryEnqueue Instance = new();
    }
}

/// <summary>From a call entity to its gateway: do you still carry this call? Answered with <see cref="CallCarried"/>.</summary>
public sealed record CarriesCall(CallId Call) : IRoutingMessage;

public sealed record CallCarried(CallId Call, bool Carried) : IRoutingMessage;

/// <summary>
/// What the call entity asks of the channel that carries its media: sent to the gateway actor when the channel is
/// an actor path (a SIP call), else published on the node's event stream (API and test channels).
/// </summary>
public sealed record ChannelInstruction(CallId Call, string Channel, string Action, string? Target) : IRoutingMessage
{
    public static bool IsActorChannel(string channel) => channel.StartsWith("akka", StringComparison.Ordinal) && channel.Contains("/user/", StringComparison.Ordinal);
}
