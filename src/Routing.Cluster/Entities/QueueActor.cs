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
using Routing.Domain.Queues;

namespace Routing.Cluster.Entities;

/// <summary>
/// One tenant queue: keeps the waiting order durable (priority and first arrival travel with each call),
/// announces waiting calls to its pool's router, applies overflow rules from journaled times, and counts
/// the figures managers watch.
/// </summary>
/// <remarks>
/// Every call of a queue passes through this one entity (enqueue, dequeue, handled: three writes per call), so it
/// must not wait for one journal round trip before taking the next command, as <c>Persist</c> would: that made the
/// queue the node's serial bottleneck (one write per journal round trip, ≈ 400 writes/s). Instead the state is
/// applied at once and the events are written with <c>PersistAllAsync</c>, which lets Akka.Persistence send every
/// event that piled up during one write as the next single write. What the outside world hears (acks, the router's
/// announcements, overflow asks, figures) waits until everything decided before it is durable: it runs in a persist
/// or <c>DeferAsync</c> handler, and those run in order. A failed write stops the entity and a rejected write
/// restarts it, so the state it decided on but could not store is dropped and rebuilt from the journal; no one was
/// told of it. Snapshots are taken only when no write is pending, so a snapshot never holds an undurable event.
/// </remarks>
public sealed class QueueActor : RoutingEntity
{
    private readonly QueueId _id;
    private QueueState _state = QueueState.Initial;
    // Soft state: calls ringing an operator now (not re-announced) and overflow already asked of the call.
    // Calls ringing an operator, and since when. Past ring timeout + margin an entry counts as waiting again: the
    // call's Requeue is a plain message and may have been lost with a node.
    private readonly Dictionary<CallId, DateTimeOffset> _ringing = [];
    // Calls asked to overflow, and when: asked again after OverflowAskAgain if the call has not moved (the ask is a plain
    // message, lost when the call's node dies).
    private readonly Dictionary<CallId, DateTimeOffset> _overflowAsked = [];
    private static readonly TimeSpan OverflowAskAgain = TimeSpan.FromSeconds(5);
    private ICancelable? _overflowTimer;
    private ICancelable? _heartbeat;
    // Writes sent to the journal and not yet confirmed, and the sequence number of the newest snapshot.
    private int _pendingWrites;
    private long _snapshotAt;

    public static Props Props(string id, RoutingSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new QueueActor(id, settings, clock));

    public QueueActor(string id, RoutingSettings settings, TimeProvider clock) : base(settings, clock) => _id = new QueueId(id);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: QueueState s } offer: _state = s; _snapshotAt = offer.Metadata.SequenceNr; break;
            case QueueEvent e: _state = _state.Apply(e); break;
            case RecoveryCompleted: OnRecovered(); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case QueueEnvelope m: Handle(m.Command); break;
            case OverflowDue: ApplyDueOverflows(); break;
            case Heartbeat: WhenDurable(SendHeartbeat); break;
            case ReceiveTimeout:
                if (_state.Waiting.IsEmpty) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                break;
            default:
                if (!HandleSnapshotReplies(message)) Unhandled(message);
                break;
        }
    }

    public override string PersistenceId => $"queue-{_id.Value}";

    private QueueConfig? QueueConfig => ConfigView.Current.FindQueue(_id);

    private string Pool => ConfigView.Current.PoolOf(_id.Tenant).Value;

    private void OnRecovered()
    {
        RoutingMetrics.Waiting(_id, _state.Waiting.Count);
        if (QueueConfig is { } q) _state = _state with { Figures = _state.Figures with { ServiceLevelSeconds = q.ServiceLevel.Seconds } };
        // After a restart or move, the router hears of every waiting call again, at its original place.
        SendHeartbeat(); // tells the router this queue's handle time before its calls
        foreach (var e in _state.Waiting) AnnounceWaiting(e);
        ScheduleOverflow();
        UpdateLifecycle();
    }

    private void Handle(QueueCommand command)
    {
        switch (command)
        {
            case QueueCommand.Enqueue enq:
                var cfg = QueueConfig;
                if (cfg is null)
                {
                    Sender.Tell(new QueueAck(enq.Call, false, $"queue {_id} is not configured"));
                    return;
                }
                var sender = Sender;
                if (_state.Find(enq.Call) is not null)
                {
                    _ringing.Remove(enq.Call);
                    WhenDurable(() =>
                    {
                        if (_state.Find(enq.Call) is { } existing) AnnounceWaiting(existing);
                        sender.Tell(new QueueAck(enq.Call, true, null));
                    });
                    return;
                }
                if (_state.Waiting.Count >= cfg.MaxWaiting)
                {
                    WhenDurable(() =>
                    {
                        sender.Tell(new QueueAck(enq.Call, false, $"queue {_id} is full ({cfg.MaxWaiting} waiting)"));
                        Regions.Calls.Tell(new CallEnvelope(enq.Call.Value, new CallCommand.Fail($"queue {_id} is full")), ActorRefs.NoSender);
                    });
                    return;
                }
                PersistEvents(_state.Enqueue(enq.Call, enq.Priority, enq.FirstQueuedAt, Now, enq.Only), () =>
                {
                    if (_state.Find(enq.Call) is { } entry) AnnounceWaiting(entry);
                    sender.Tell(new QueueAck(enq.Call, true, null));
                });
                return;

            case QueueCommand.Ringing r:
                _ringing[r.Call] = Now;
                return;

            case QueueCommand.Requeue rq:
                _ringing.Remove(rq.Call);
                _overflowAsked.Remove(rq.Call);
                WhenDurable(() =>
                {
                    if (_state.Find(rq.Call) is { } back) AnnounceWaiting(back);
                });
                ScheduleOverflow();
                return;

            case QueueCommand.Dequeue dq:
                _ringing.Remove(dq.Call);
                _overflowAsked.Remove(dq.Call);
                var from = Sender;
                var events = _state.Dequeue(dq.Call, dq.Reason, Now, dq.Priority, dq.FirstQueuedAt);
                if (events.IsEmpty)
                {
                    WhenDurable(() => from.Tell(new DequeueAck(dq.Call, _id))); // a repeat: counted already
                    return;
                }
                PersistEvents(events, () =>
                {
                    Regions.Routers.Tell(new RouterEnvelope(Pool, new RouterMessage.CallGone(dq.Call, _id)));
                    from.Tell(new DequeueAck(dq.Call, _id));
                });
                return;

            case QueueCommand.Handled h:
                PersistEvents([new CallHandled(Now, h.Call, h.HandleSeconds)], () => { });
                return;

            case QueueCommand.NoOperators no:
                ApplyNoOperatorsRule(no.Call);
                return;

            case QueueCommand.Announce:
                WhenDurable(() =>
                {
                    SendHeartbeat();
                    foreach (var e in _state.Waiting)
                        if (!IsRinging(e.Call)) AnnounceWaiting(e);
                });
                return;

            case QueueCommand.GetFigures:
                var asker = Sender;
                WhenDurable(() => asker.Tell(new QueueFiguresReply(_id, _state.Waiting.Count,
                    _state.Waiting.IsEmpty ? null : _state.Waiting.Min(e => e.FirstQueuedAt), _state.Figures, _state.Waiting)));
                return;
        }
    }

    private void PersistEvents(ImmutableArray<QueueEvent> events, Action after)
    {
        if (events.IsEmpty)
        {
            WhenDurable(after);
            return;
        }
        // Applied now, so the next command (already in the mailbox) decides on it; told to others once durable.
        // A dequeue counts only for a call that was waiting (a repeat after a lost ack does not), known only now.
        var countDequeue = new bool[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            countDequeue[i] = events[i] is CallDequeued leaving && _state.Find(leaving.Call) is not null;
            _state = _state.Apply(events[i]);
        }
        RoutingMetrics.Waiting(_id, _state.Waiting.Count);
        ScheduleOverflow();
        UpdateLifecycle();
        _pendingWrites++;
        var done = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAllAsync(events, e =>
        {
            // The figures' counters move with the journal: a write that fails counts nothing.
            switch (e)
            {
                case CallEnqueued: RoutingMetrics.CallOffered(_id); break;
                case CallDequeued d when countDequeue[done]: RoutingMetrics.CallDequeued(_id, d.Reason, d.WaitSeconds); break;
                case CallHandled h: RoutingMetrics.CallHandled(_id, h.HandleSeconds); break;
            }
            if (++done != events.Length) return;
            _pendingWrites--;
            RoutingMetrics.JournalWritten(started);
            after();
            SnapshotWhenSettled();
        });
    }

    /// <summary>Runs <paramref name="action"/> once every event decided so far is durable (at once when none is pending).</summary>
    private void WhenDurable(Action action) => DeferAsync(action, a => a());

    // A snapshot must hold only durable events: taken when the journal has everything the state was built from.
    private void SnapshotWhenSettled()
    {
        if (_pendingWrites != 0 || LastSequenceNr - _snapshotAt < Settings.SnapshotEvery) return;
        _snapshotAt = LastSequenceNr;
        SaveSnapshot(_state);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        // The state already holds the rejected event (and maybe later ones): rebuild it from the journal.
        throw new InvalidOperationException($"Queue {_id}: write of {@event.GetType().Name} #{sequenceNr} was rejected; restarting from the journal", cause);
    }

    private void AnnounceWaiting(QueueEntry e) =>
        Regions.Routers.Tell(new RouterEnvelope(Pool, new RouterMessage.CallWaiting(_state.ToWaitingCall(_id, e))));

    private void ApplyNoOperatorsRule(CallId call)
    {
        var cfg = QueueConfig;
        var entry = _state.Find(call);
        if (cfg is null || entry is null || IsRinging(call) || AskedRecently(call)) return;
        for (var i = 0; i < cfg.Overflow.Length; i++)
        {
            var rule = cfg.Overflow[i];
            if (!rule.WhenNoOperators || entry.RulesFired.Contains(i)) continue;
            ApplyRule(entry, i, rule, "no operator logged in");
            return;
        }
    }

    private void ApplyDueOverflows()
    {
        _overflowTimer = null;
        var cfg = QueueConfig;
        if (cfg is null) return;
        foreach (var (entry, index, rule) in _state.DueOverflows(cfg, Now).ToList())
        {
            if (IsRinging(entry.Call) || AskedRecently(entry.Call)) continue;
            ApplyRule(entry, index, rule, $"waited over {rule.AfterSeconds}s");
        }
        ScheduleOverflow();
    }

    private void ApplyRule(QueueEntry entry, int index, OverflowRule rule, string why)
    {
        switch (rule.Target)
        {
            case OverflowTarget.ToTier t:
                PersistEvents([new CallEscalated(Now, entry.Call, t.Tier, index)], () =>
                {
                    if (_state.Find(entry.Call) is { } e && !IsRinging(e.Call)) AnnounceWaiting(e);
                });
                break;
            case OverflowTarget.ToQueue q:
                _overflowAsked[entry.Call] = Now;
                WhenDurable(() => Regions.Calls.Tell(new CallEnvelope(entry.Call.Value, new CallCommand.Overflow(_id, q.Queue.Value)), ActorRefs.NoSender));
                break;
            case OverflowTarget.ToExternal x:
                _overflowAsked[entry.Call] = Now;
                WhenDurable(() => Regions.Calls.Tell(new CallEnvelope(entry.Call.Value, new CallCommand.Overflow(_id, x.SipUri)), ActorRefs.NoSender));
                break;
        }
        Log.Info("Queue {0}: overflow of {1} to {2} ({3})", _id, entry.Call, rule.Target, why);
    }

    private void ScheduleOverflow()
    {
        _overflowTimer?.Cancel();
        _overflowTimer = null;
        var cfg = QueueConfig;
        if (cfg is null || _state.NextOverflowAt(cfg) is not { } at) return;
        // A rule already due belongs to a call that is ringing or was just asked to move: look again in a second
        // (scheduling it "now" would spin until that call answers).
        var now = Now;
        _overflowTimer = ScheduleAt(at > now ? at : now + TimeSpan.FromSeconds(1), OverflowDue.Instance);
    }

    private bool IsRinging(CallId call) =>
        _ringing.TryGetValue(call, out var since) && Now - since < TimeSpan.FromSeconds((QueueConfig?.RingTimeoutSeconds ?? 20) + 10);

    private bool AskedRecently(CallId call) => _overflowAsked.TryGetValue(call, out var at) && Now - at < OverflowAskAgain;

    private void UpdateLifecycle()
    {
        if (_state.Waiting.IsEmpty)
        {
            _heartbeat?.Cancel();
            _heartbeat = null;
            Context.SetReceiveTimeout(Settings.PassivateEmptyQueueAfter);
        }
        else
        {
            Context.SetReceiveTimeout(null);
            _heartbeat ??= Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(
                Settings.QueueHeartbeat, Settings.QueueHeartbeat, Self, Heartbeat.Instance, Self);
        }
    }

    private void SendHeartbeat() =>
        Regions.Routers.Tell(new RouterEnvelope(Pool, new RouterMessage.QueueAlive(_id, _state.Waiting.Count(e => !IsRinging(e.Call)), _state.Figures.EstimatedHandleTime.TotalSeconds)));

    protected override void PostStop()
    {
        _overflowTimer?.Cancel();
        _heartbeat?.Cancel();
        RoutingMetrics.QueueStopped(_id);
        base.PostStop();
    }

    private sealed class OverflowDue
    {
        public static readonly OverflowDue Instance = new();
    }

    private sealed class Heartbeat
    {
        public static readonly Heartbeat Instance = new();
    }
}
