using System.Collections.Immutable;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Domain.Calls;

public enum CallPhase
{
    New,
    InMenu,
    Queued,
    Ringing,
    Connected,
    Ended,
}

/// <summary>
/// A call's state, the fold of its journal. The call entity is the arbiter of "one operator per call":
/// it accepts an offer only while waiting and only one at a time.
/// </summary>
public sealed record CallState(
    CallPhase Phase,
    CallId Id,
    TenantId Tenant,
    string Number,
    string Caller,
    string Channel,
    DateTimeOffset StartedAt,
    string MenuPath,
    int MenuRetries,
    QueueId? Queue,
    int Priority,
    DateTimeOffset? FirstQueuedAt,
    ReservationId? Reservation,
    OperatorId? Operator,
    DateTimeOffset? RingUntil,
    bool Answering,
    DateTimeOffset? ConnectedAt,
    string? EndCause,
    string? EndDetail,
    DateTimeOffset? EndedAt)
{
    public static CallState Initial(CallId id) => new(CallPhase.New, id, id.Tenant, "", "", "", DateTimeOffset.MinValue,
        "", 0, null, 0, null, null, null, null, false, null, null, null, null);

    public bool IsWaiting => Phase == CallPhase.Queued;

    /// <summary>While queued after a transfer to one operator: that operator (only they may take the call).</summary>
    public OperatorId? TargetOperator { get; init; }

    /// <summary>Decide what a command does: events to persist, effects to carry out afterwards, and the answer.</summary>
    public CallDecision Process(CallCommand command, DateTimeOffset now, ProviderConfig config)
    {
        if (Phase == CallPhase.Ended)
        {
            return command switch
            {
                // An operator reserved for an ended call must be freed, whatever happened before.
                CallCommand.Offer o => new([], [new CallEffect.ReleaseOperator(o.Operator, o.Reservation, "call-ended", null)], CallReply.Refused("call has ended")),
                // The operator picked up just as the caller hung up: the operator's side is undone (not a handled call).
                CallCommand.ConnectResult { Accepted: true, Operator: { } op } cr =>
                    new([], [new CallEffect.ReleaseOperator(op, cr.Reservation, "call-ended", null, UndoConnect: true)], CallReply.Refused("call has ended")),
                CallCommand.HangUp => CallDecision.Nothing,
                CallCommand.Start => CallDecision.Nothing,
                _ => CallDecision.Refuse($"call has ended ({EndCause})"),
            };
        }

        switch (command)
        {
            case CallCommand.Start s:
                if (Phase != CallPhase.New) return CallDecision.Nothing; // duplicate start
                var started = StartCall(s, now, config);
                // Digits known up front are applied at once: one journal write for the whole menu walk.
                var state = this;
                foreach (var e in started.Events) state = state.Apply(e);
                foreach (var digit in s.Digits ?? "")
                {
                    if (state.Phase != CallPhase.InMenu) break;
                    var next = state.Process(new CallCommand.Digit(digit), now, config);
                    foreach (var e in next.Events) state = state.Apply(e);
                    started = started with { Events = started.Events.AddRange(next.Events), Effects = started.Effects.AddRange(next.Effects) };
                }
                return started;

            case CallCommand.Digit d:
                if (Phase != CallPhase.InMenu) return CallDecision.Refuse("the caller is not in a menu");
                return PressDigit(d.Value, now, config);

            case CallCommand.MenuTimeout:
                if (Phase != CallPhase.InMenu) return CallDecision.Nothing;
                return MenuTimedOut(now, config);

            case CallCommand.Offer o:
                if (Phase == CallPhase.Ringing && Reservation == o.Reservation) return CallDecision.Nothing; // duplicate
                if (Phase != CallPhase.Queued || Queue is null)
                    return new([], [new CallEffect.ReleaseOperator(o.Operator, o.Reservation, "call-not-waiting", null)],
                        CallReply.Refused($"call is {Phase.ToString().ToLowerInvariant()}, not waiting"));
                var ring = config.FindQueue(Queue.Value)?.RingTimeoutSeconds ?? 20;
                return new([new CallOfferedToOperator(now, o.Reservation, o.Operator, now.AddSeconds(ring), o.Decision)],
                    [new CallEffect.Ringing(Queue.Value), new CallEffect.Channel("ring", o.Operator.Value)], CallReply.Ok);

            case CallCommand.Answer a:
                if (Phase == CallPhase.Connected && Operator == a.Operator) return CallDecision.Nothing;
                if (Phase != CallPhase.Ringing || Operator != a.Operator)
                    return CallDecision.Refuse($"call is not ringing operator {a.Operator}");
                if (Answering) return CallDecision.Nothing;
                return new([], [new CallEffect.ConnectOperator(a.Operator, Reservation!.Value)], CallReply.Ok) { StartsAnswering = true };

            case CallCommand.ConnectResult r:
                if (Phase != CallPhase.Ringing || Reservation != r.Reservation)
                {
                    // The ring timed out (or the call moved on) while the operator was confirming: free the operator again.
                    return r is { Accepted: true, Operator: { } late }
                        ? new([], [new CallEffect.ReleaseOperator(late, r.Reservation, "call-not-ringing", null, UndoConnect: true)], CallReply.Refused("call is no longer ringing this operator"))
                        : CallDecision.Nothing;
                }
                if (r.Accepted)
                {
                    var wait = (now - (FirstQueuedAt ?? StartedAt)).TotalSeconds;
                    return new([new CallConnected(now, r.Reservation, Operator!.Value, Math.Max(0, wait))],
                        [new CallEffect.Dequeue(Queue!.Value, Queues.DequeueReason.Answered), new CallEffect.Channel("bridge", Operator.Value.Value)],
                        CallReply.Ok);
                }
                return OfferFailed(now, r.Reason ?? "operator refused the connection", pause: null,
                    reply: CallReply.Refused(r.Reason ?? "operator refused the connection"));

            case CallCommand.Reject rj:
                if (Phase != CallPhase.Ringing || Operator != rj.Operator) return CallDecision.Refuse($"call is not ringing operator {rj.Operator}");
                return OfferFailed(now, rj.Reason, PauseFor(config), CallReply.Ok);

            case CallCommand.RingTimeout rt:
                if (Phase != CallPhase.Ringing || Reservation != rt.Reservation || Answering) return CallDecision.Nothing;
                return OfferFailed(now, Operators.OperatorState.NoAnswer, PauseFor(config), CallReply.Ok);

            case CallCommand.HangUp h:
                return HangUp(h.Side, now);

            case CallCommand.Transfer t:
                return TransferTo(t.Target, t.By, now, config);

            case CallCommand.Overflow ov:
                if (Phase != CallPhase.Queued || Queue != ov.From) return CallDecision.Nothing;
                return OverflowTo(ov.Target, now, config);

            case CallCommand.Fail f:
                return EndWith(CallEndCause.Failed, f.Reason, now, "system");

            default:
                return CallDecision.Refuse($"unknown command {command.GetType().Name}");
        }
    }

    private TimeSpan PauseFor(ProviderConfig config) =>
        TimeSpan.FromSeconds(Queue is { } q ? config.FindQueue(q)?.NoAnswerPauseSeconds ?? 30 : 30);

    private CallDecision StartCall(CallCommand.Start s, DateTimeOffset now, ProviderConfig config)
    {
        var tenant = config.FindTenant(Tenant);
        var started = new CallStarted(now, Id, Tenant, s.Number, s.Caller, s.Channel);
        if (tenant is null)
            return new CallDecision([started, new CallEnded(now, CallEndCause.Failed, $"tenant {Tenant} is not configured")], [new CallEffect.Channel("hangup", null)], CallReply.Ok);
        var events = ImmutableArray.Create<CallEvent>(started);
        if (tenant.Hours is { } hours && !hours.IsOpen(now))
            return Then(events, ApplyClosedRule("tenant", tenant.Closed, now, config, afterStart: true));
        if (s.Queue is { } direct)
            return Then(events, EnqueueTo(QueueId.Of(Tenant, direct), now, config, afterStart: true));
        if (tenant.Menu is { } menu)
            return new CallDecision(events.Add(new CallMenuEntered(now, "", menu.Prompt)), [new CallEffect.Channel("play-menu", "")], CallReply.Ok);
        if (tenant.DefaultQueue is { } dq)
            return Then(events, EnqueueTo(QueueId.Of(Tenant, dq), now, config, afterStart: true));
        return new CallDecision(events.Add(new CallEnded(now, CallEndCause.Failed, "tenant has neither a menu nor a default queue")), [new CallEffect.Channel("hangup", null)], CallReply.Ok);
    }

    private CallDecision Then(ImmutableArray<CallEvent> before, CallDecision next) =>
        next with { Events = before.AddRange(next.Events) };

    /// <summary>The menu node at a path of digits from the root, or null.</summary>
    public static MenuNode? MenuAt(MenuNode root, string path) => MenuNavigator.NodeAt(root, path);

    private CallDecision PressDigit(char digit, DateTimeOffset now, ProviderConfig config) => Navigate(digit, now, config);

    private CallDecision MenuTimedOut(DateTimeOffset now, ProviderConfig config) => Navigate(null, now, config);

    /// <summary>One menu step with the domain's <see cref="MenuNavigator"/>, recorded as events.</summary>
    private CallDecision Navigate(char? key, DateTimeOffset now, ProviderConfig config)
    {
        var root = config.FindTenant(Tenant)?.Menu;
        if (root is null) return EnqueueFallback(now, config, "menu no longer configured");
        var d = key?.ToString() ?? "";
        var outcome = MenuNavigator.Navigate(root, new MenuPosition(MenuPath, MenuRetries), key);
        switch (outcome)
        {
            case MenuOutcome.Prompt p when p.Reason is MenuPromptReason.InvalidDigit or MenuPromptReason.NoInput:
                return new([new CallDigitPressed(now, d, MenuPath, key is null ? "no input, menu replayed" : "invalid, menu replayed")],
                    [new CallEffect.Channel("play-menu", MenuPath)], CallReply.Ok);
            case MenuOutcome.Prompt p:
                var what = p.Reason switch { MenuPromptReason.Back => "back", MenuPromptReason.Start => "menu restarted", _ => "sub-menu" };
                return new([new CallDigitPressed(now, d, MenuPath, what), new CallMenuEntered(now, p.Position.Path, p.Node.Prompt)],
                    [new CallEffect.Channel("play-menu", p.Position.Path)], CallReply.Ok);
            case MenuOutcome.Info info:
                var pressed = new CallDigitPressed(now, d, MenuPath, $"info: {info.Text}");
                return info.ThenDisconnect
                    ? new([pressed, new CallEnded(now, CallEndCause.Failed, "no menu choice after the information message")], [new CallEffect.Channel("play-info", info.Text), new CallEffect.Channel("hangup", null)], CallReply.Ok)
                    : new([pressed], [new CallEffect.Channel("play-info", info.Text)], CallReply.Ok);
            case MenuOutcome.Queue q:
                return Then([new CallDigitPressed(now, d, MenuPath, key is null ? $"no input, default queue {q.Name}" : $"queue {q.Name}")],
                    EnqueueTo(QueueId.Of(Tenant, q.Name), now, config, afterStart: false));
            case MenuOutcome.External x:
                return new([new CallDigitPressed(now, d, MenuPath, $"external {x.SipUri}"), new CallTransferred(now, x.SipUri, "menu"), new CallEnded(now, CallEndCause.TransferredOut, x.SipUri)],
                    [new CallEffect.Channel("forward", x.SipUri)], CallReply.Ok);
            case MenuOutcome.Disconnect dc:
                return new([new CallDigitPressed(now, d, MenuPath, dc.Reason), new CallEnded(now, CallEndCause.Failed, dc.Reason)], [new CallEffect.Channel("hangup", null)], CallReply.Ok);
            default:
                return CallDecision.Refuse("unknown menu outcome");
        }
    }

    private CallDecision EnqueueFallback(DateTimeOffset now, ProviderConfig config, string why)
    {
        var dq = config.FindTenant(Tenant)?.DefaultQueue;
        return dq is null
            ? new([new CallEnded(now, CallEndCause.Failed, why)], [new CallEffect.Channel("hangup", null)], CallReply.Ok)
            : EnqueueTo(QueueId.Of(Tenant, dq), now, config, afterStart: false);
    }

    private CallDecision EnqueueTo(QueueId queue, DateTimeOffset now, ProviderConfig config, bool afterStart, DateTimeOffset? firstQueuedAt = null, int depth = 0, OperatorId? only = null)
    {
        var q = config.FindQueue(queue);
        if (q is null)
            return new([new CallEnded(now, CallEndCause.Failed, $"queue {queue} is not configured")], [new CallEffect.Channel("hangup", null)], CallReply.Ok);
        if (q.Hours is { } hours && !hours.IsOpen(now) && depth < 3)
            return ApplyClosedRule($"queue {queue}", q.Closed ?? config.FindTenant(queue.Tenant)?.Closed ?? new ClosedRule.Message("closed"), now, config, afterStart, depth + 1);
        var first = firstQueuedAt ?? FirstQueuedAt ?? now;
        return new([new CallQueued(now, queue, q.Priority, first) { Only = only }],
            [new CallEffect.Enqueue(queue, q.Priority, first), new CallEffect.Channel("hold", queue.Value)], CallReply.Ok);
    }

    private CallDecision ApplyClosedRule(string scope, ClosedRule rule, DateTimeOffset now, ProviderConfig config, bool afterStart, int depth = 0) => rule switch
    {
        ClosedRule.Message m => new([new CallClosedRuleApplied(now, scope, $"message: {m.Text}"), new CallEnded(now, CallEndCause.Closed, m.Text)],
            [new CallEffect.Channel("play-closed", m.Text)], CallReply.Ok),
        ClosedRule.ToQueue q => Then([new CallClosedRuleApplied(now, scope, $"queue {q.Queue}")], EnqueueTo(q.Queue, now, config, afterStart, null, depth)),
        ClosedRule.ToExternal x => new([new CallClosedRuleApplied(now, scope, $"external {x.SipUri}"), new CallTransferred(now, x.SipUri, "closed-rule"), new CallEnded(now, CallEndCause.TransferredOut, x.SipUri)],
            [new CallEffect.Channel("forward", x.SipUri)], CallReply.Ok),
        _ => CallDecision.Refuse("unknown closed rule"),
    };

    private CallDecision OfferFailed(DateTimeOffset now, string reason, TimeSpan? pause, CallReply reply) =>
        new([new CallOfferFailed(now, Reservation!.Value, Operator!.Value, reason)],
            [new CallEffect.ReleaseOperator(Operator.Value, Reservation.Value, reason, pause), new CallEffect.Requeue(Queue!.Value), new CallEffect.Channel("hold", Queue.Value.Value)],
            reply);

    private CallDecision HangUp(string side, DateTimeOffset now)
    {
        switch (Phase)
        {
            case CallPhase.New:
            case CallPhase.InMenu:
                return new([new CallEnded(now, CallEndCause.Abandoned, $"{side} hung up in the menu")], [], CallReply.Ok);
            case CallPhase.Queued:
                return new([new CallEnded(now, CallEndCause.Abandoned, $"{side} hung up while waiting")],
                    [new CallEffect.Dequeue(Queue!.Value, Queues.DequeueReason.Abandoned)], CallReply.Ok);
            case CallPhase.Ringing:
                return new([new CallEnded(now, CallEndCause.Abandoned, $"{side} hung up while operator {Operator} was ringing")],
                    [new CallEffect.ReleaseOperator(Operator!.Value, Reservation!.Value, "caller-hung-up", null),
                     new CallEffect.Dequeue(Queue!.Value, Queues.DequeueReason.Abandoned)], CallReply.Ok);
            case CallPhase.Connected:
                return EndWith(CallEndCause.Completed, $"{side} hung up", now, side);
            default:
                return CallDecision.Nothing;
        }
    }

    private CallDecision EndWith(string cause, string detail, DateTimeOffset now, string side)
    {
        var effects = ImmutableArray.CreateBuilder<CallEffect>();
        switch (Phase)
        {
            case CallPhase.Queued:
                effects.Add(new CallEffect.Dequeue(Queue!.Value, cause == CallEndCause.Abandoned ? Queues.DequeueReason.Abandoned : Queues.DequeueReason.Failed));
                break;
            case CallPhase.Ringing:
                effects.Add(new CallEffect.ReleaseOperator(Operator!.Value, Reservation!.Value, cause, null));
                effects.Add(new CallEffect.Dequeue(Queue!.Value, Queues.DequeueReason.Failed));
                break;
            case CallPhase.Connected:
                effects.Add(new CallEffect.EndOperatorCall(Operator!.Value));
                effects.Add(new CallEffect.Handled(Queue!.Value, (now - ConnectedAt!.Value).TotalSeconds));
                break;
        }
        if (side != "caller") effects.Add(new CallEffect.Channel("hangup", null));
        return new([new CallEnded(now, cause, detail)], effects.ToImmutable(), CallReply.Ok);
    }

    private CallDecision TransferTo(string target, string by, DateTimeOffset now, ProviderConfig config)
    {
        if (Phase is not (CallPhase.Connected or CallPhase.Queued))
            return CallDecision.Refuse($"a {Phase.ToString().ToLowerInvariant()} call cannot be transferred");
        var leave = ImmutableArray.CreateBuilder<CallEffect>();
        if (Phase == CallPhase.Connected)
        {
            leave.Add(new CallEffect.EndOperatorCall(Operator!.Value));
            leave.Add(new CallEffect.Handled(Queue!.Value, (now - ConnectedAt!.Value).TotalSeconds));
        }
        else
        {
            leave.Add(new CallEffect.Dequeue(Queue!.Value, Queues.DequeueReason.Transferred));
        }

        if (target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            leave.Add(new CallEffect.Channel("forward", target));
            return new([new CallTransferred(now, target, by), new CallEnded(now, CallEndCause.TransferredOut, target)], leave.ToImmutable(), CallReply.Ok);
        }

        var queue = target.Contains('/') ? new QueueId(target) : QueueId.Of(Tenant, target);
        if (config.FindQueue(queue) is null && config.FindOperator(new OperatorId(target)) is { } op)
        {
            // To one operator (the 2nd line's expert, a supervisor): the call waits in its queue for them only.
            if (!op.Tenants.Contains(Tenant)) return CallDecision.Refuse($"operator {op.Id} does not work for tenant {Tenant}");
            if (op.Id == Operator && Phase == CallPhase.Connected) return CallDecision.Refuse($"the call is already with operator {op.Id}");
            var home = Queue ?? (config.FindTenant(Tenant)?.DefaultQueue is { } dq ? QueueId.Of(Tenant, dq) : config.FindTenant(Tenant)?.Queues.FirstOrDefault()?.Id);
            if (home is not { } h) return CallDecision.Refuse($"tenant {Tenant} has no queue to hold the call for operator {op.Id}");
            var toOperator = EnqueueTo(h, now, config, afterStart: false, firstQueuedAt: now, only: op.Id);
            return toOperator with
            {
                Events = [new CallTransferred(now, $"operator {op.Id}", by), .. toOperator.Events],
                Effects = [.. leave, .. toOperator.Effects],
            };
        }
        if (config.FindQueue(queue) is null) return CallDecision.Refuse($"unknown transfer target '{target}': give a queue of tenant {Tenant}, an operator id or a sip: URI");
        if (queue.Tenant != Tenant && config.PoolOf(queue.Tenant) != config.PoolOf(Tenant))
            return CallDecision.Refuse($"queue {queue} belongs to another tenant that shares no pool with {Tenant}");
        if (queue == Queue && Phase == CallPhase.Queued) return CallDecision.Refuse($"the call is already waiting in {queue}");
        // A transferred call starts a new wait: the transferring operator's work is done.
        var enqueue = EnqueueTo(queue, now, config, afterStart: false, firstQueuedAt: now);
        return enqueue with
        {
            Events = [new CallTransferred(now, queue.Value, by), .. enqueue.Events],
            Effects = [.. leave, .. enqueue.Effects],
        };
    }

    private CallDecision OverflowTo(string target, DateTimeOffset now, ProviderConfig config)
    {
        var from = Queue!.Value;
        if (target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
            return new([new CallOverflowed(now, from, target), new CallEnded(now, CallEndCause.OverflowedOut, target)],
                [new CallEffect.Dequeue(from, Queues.DequeueReason.Overflowed), new CallEffect.Channel("forward", target)], CallReply.Ok);
        var next = EnqueueTo(new QueueId(target), now, config, afterStart: false);
        return next with
        {
            Events = [new CallOverflowed(now, from, target), .. next.Events],
            Effects = [new CallEffect.Dequeue(from, Queues.DequeueReason.Overflowed), .. next.Effects],
        };
    }

    public CallState Apply(CallEvent e) => e switch
    {
        CallStarted x => this with { Phase = CallPhase.New, Tenant = x.Tenant, Number = x.Number, Caller = x.Caller, Channel = x.Channel, StartedAt = x.At },
        CallMenuEntered x => this with { Phase = CallPhase.InMenu, MenuPath = x.Path, MenuRetries = 0 },
        CallDigitPressed x => x.Outcome.Contains("replayed") ? this with { MenuRetries = MenuRetries + 1 } : this,
        CallQueued x => this with { Phase = CallPhase.Queued, Queue = x.Queue, Priority = x.Priority, FirstQueuedAt = x.FirstQueuedAt, Reservation = null, Operator = null, RingUntil = null, Answering = false, ConnectedAt = null, TargetOperator = x.Only },
        CallOfferedToOperator x => this with { Phase = CallPhase.Ringing, Reservation = x.Reservation, Operator = x.Operator, RingUntil = x.RingUntil, Answering = false },
        CallOfferFailed => this with { Phase = CallPhase.Queued, Reservation = null, Operator = null, RingUntil = null, Answering = false },
        CallConnected x => this with { Phase = CallPhase.Connected, ConnectedAt = x.At, Answering = false, RingUntil = null },
        CallEnded x => this with { Phase = CallPhase.Ended, EndCause = x.Cause, EndDetail = x.Detail, EndedAt = x.At, Answering = false },
        _ => this,
    };
}

/// <summary>The outcome of a command on a call: events to persist, effects to carry out afterwards, the reply.</summary>
public sealed record CallDecision(ImmutableArray<CallEvent> Events, ImmutableArray<CallEffect> Effects, CallReply Reply)
{
    public static readonly CallDecision Nothing = new([], [], CallReply.Ok);
    public static CallDecision Refuse(string reason) => new([], [], CallReply.Refused(reason));
    /// <summary>True when the call now waits for the operator entity to confirm the connection.</summary>
    public bool StartsAnswering { get; init; }
}
