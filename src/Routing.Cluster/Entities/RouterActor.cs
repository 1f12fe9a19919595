using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Routing.Cluster.Config;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Config;
using Routing.Domain.Operators;
using Routing.Domain.Queues;
using Routing.Domain.Routing;

namespace Routing.Cluster.Entities;

/// <summary>
/// The router of one pool. Soft state only: an index of logged-in operators and waiting calls learnt from
/// announcements, rebuilt by asking every queue and operator of the pool to re-announce when it starts.
/// It matches with the domain's <see cref="PoolMatcher"/> and asks the chosen operator for a reservation;
/// the operator and the call entities arbitrate, so a stale or duplicated router cannot double-book.
/// </summary>
public sealed class RouterActor : ReceiveActor, IWithTimers
{
    private readonly PoolId _pool;
    private readonly RoutingSettings _settings;
    private readonly ConfigView _config;
    private readonly Regions _regions;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PoolMatcher _matcher;
    private readonly Dictionary<ReservationId, (RoutingDecision Decision, WaitingCall Call)> _pending = [];
    private readonly Dictionary<ReservationId, (RoutingDecision Decision, WaitingCall Call)> _offering = [];
    private readonly Dictionary<QueueId, DateTimeOffset> _announceAsked = [];
    private readonly Dictionary<CallId, WaitingCall> _known = [];
    private readonly Dictionary<QueueId, TimeSpan> _handleTime = [];
    private long _configVersion;
    private readonly DateTimeOffset _warmUntil;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string pool, RoutingSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new RouterActor(pool, settings, clock));

    public RouterActor(string pool, RoutingSettings settings, TimeProvider clock)
    {
        _pool = new PoolId(pool);
        _settings = settings;
        _clock = clock;
        _config = ConfigView.Get(Context.System);
        _regions = Regions.Get(Context.System);
        _configVersion = _config.Version;
        _matcher = new PoolMatcher(_config.Current.QueuesOf(_pool));
        _warmUntil = Now + settings.RouterWarmup;

        Receive<RouterEnvelope>(m => OnMessage(m.Message));
        Receive<ReserveResult>(OnReserveResult);
        Receive<OfferResult>(OnOfferResult);
        Receive<Rematch>(_ => TryMatch());
        Receive<WarmedUp>(_ =>
        {
            foreach (var c in _matcher.WaitingCalls.ToList()) CheckServable(c.Id);
            TryMatch();
        });
    }

    private DateTimeOffset Now => _clock.GetUtcNow();

    protected override void PreStart()
    {
        // Rebuild: every queue and operator of the pool announces itself again.
        var cfg = _config.Current;
        foreach (var q in cfg.QueuesOf(_pool))
            _regions.Queues.Tell(new QueueEnvelope(q.Id.Value, new QueueCommand.Announce()));
        var tenants = cfg.TenantsOf(_pool);
        foreach (var op in cfg.Operators.Where(o => o.Tenants.Any(tenants.Contains)))
            _regions.Operators.Tell(new AnnounceOperator(op.Id.Value, _pool));
        Timers.StartSingleTimer("warmup", WarmedUp.Instance, _settings.RouterWarmup);
        _log.Info("Router {0} started: asked {1} queues and the operators of {2} tenants to announce", _pool, cfg.QueuesOf(_pool).Length, tenants.Length);
    }

    private void RefreshConfig()
    {
        if (_config.Version == _configVersion) return;
        _configVersion = _config.Version;
        _matcher.SetQueues(_config.Current.QueuesOf(_pool));
    }

    private void OnMessage(RouterMessage message)
    {
        RefreshConfig();
        switch (message)
        {
            case RouterMessage.CallWaiting w:
                if (_pending.Values.Any(p => p.Call.Id == w.Call.Id) || _offering.Values.Any(p => p.Call.Id == w.Call.Id))
                    return; // being offered right now
                _known[w.Call.Id] = w.Call;
                _matcher.UpsertCall(w.Call);
                if (Now >= _warmUntil) CheckServable(w.Call.Id);
                TryMatch();
                break;
            case RouterMessage.CallGone g:
                // Leaving one queue may follow joining another (overflow, transfer): messages from two queues
                // race, so only the entry of the queue that says so is removed.
                if (_known.TryGetValue(g.Call, out var known) && known.Queue != g.Queue) break;
                _known.Remove(g.Call);
                _matcher.RemoveCall(g.Call);
                break;
            case RouterMessage.OperatorChanged o:
                if (o.Operator.Status == OperatorStatus.LoggedOut) _matcher.RemoveOperator(o.Operator.Id);
                else _matcher.UpsertOperator(o.Operator);
                if (o.Operator.Status == OperatorStatus.Ready) TryMatch();
                break;
            case RouterMessage.QueueAlive a:
                // Its arrival (re)starts this router after a move; it also brings the queue's handle time.
                _handleTime[a.Queue] = TimeSpan.FromSeconds(a.HandleTimeSeconds);
                // Reconciliation: the queue holds more waiting calls than this router knows of (an announcement was
                // lost while the queue or this router moved): the queue says them all again.
                var mine = _known.Values.Count(w => w.Queue == a.Queue) + _pending.Values.Count(p => p.Call.Queue == a.Queue)
                    + _offering.Values.Count(p => p.Call.Queue == a.Queue);
                if (a.Waiting > mine && (!_announceAsked.TryGetValue(a.Queue, out var asked) || Now - asked > TimeSpan.FromSeconds(3)))
                {
                    _announceAsked[a.Queue] = Now;
                    _log.Info("Router {0}: queue {1} has {2} waiting calls, {3} known here; asking it to announce them", _pool, a.Queue, a.Waiting, mine);
                    _regions.Queues.Tell(new QueueEnvelope(a.Queue.Value, new QueueCommand.Announce()));
                }
                break;
            case RouterMessage.GetOperatorCounts c:
                Sender.Tell(new OperatorCountsReply(CountOperators(c.Queue)));
                break;
            case RouterMessage.GetEstimate e:
                var est = _matcher.Estimate(e.Call, Now, HandleTimeOf(e.Call));
                Sender.Tell(new EstimateReply(e.Call, est?.Position, est?.ExpectedWait.TotalSeconds));
                break;
        }
    }

    private TimeSpan HandleTimeOf(CallId call) =>
        _matcher.FindCall(call) is { } w && _handleTime.TryGetValue(w.Queue, out var t) ? t : QueueFigures.DefaultHandleTime;

    private ImmutableDictionary<string, int> CountOperators(QueueId queue)
    {
        var cfg = _config.Current.FindQueue(queue);
        var counts = Enum.GetValues<OperatorStatus>().Where(s => s != OperatorStatus.LoggedOut)
            .ToDictionary(s => ToName(s), _ => 0);
        foreach (var op in _matcher.Operators)
        {
            if (!op.Tenants.Contains(queue.Tenant)) continue;
            if (queue.Name == "*")
            {
                counts[ToName(op.Status)]++; // the whole tenant: every operator serving it, once
                continue;
            }
            if (cfg is null) continue;
            if (!cfg.Tiers.Contains(op.Tier)) continue;
            if (!cfg.Requirements.All(r => op.Skills.TryGetValue(r.Skill, out var l) && l >= r.MinLevel)
                && !cfg.Relaxation.Any(step => step.Requirements.All(r => op.Skills.TryGetValue(r.Skill, out var l) && l >= r.MinLevel)))
                continue;
            counts[ToName(op.Status)]++;
        }
        return counts.ToImmutableDictionary();
    }

    public static string ToName(OperatorStatus s) => s switch
    {
        OperatorStatus.LoggedOut => "logged-out",
        OperatorStatus.Ready => "ready",
        OperatorStatus.Reserved => "reserved",
        OperatorStatus.OnCall => "on-call",
        OperatorStatus.WrapUp => "wrap-up",
        OperatorStatus.NotReady => "not-ready",
        _ => s.ToString(),
    };

    private void CheckServable(CallId call)
    {
        if (_known.TryGetValue(call, out var w) && !_matcher.AnyLoggedInCouldServe(call, Now))
            _regions.Queues.Tell(new QueueEnvelope(w.Queue.Value, new QueueCommand.NoOperators(call)));
    }

    private void TryMatch()
    {
        var now = Now;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decisions = _matcher.Match(now).ToList();
        if (decisions.Count > 0) RoutingMetrics.Decision(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        foreach (var decision in decisions)
        {
            var resv = ReservationId.New();
            var call = _known.TryGetValue(decision.Call, out var w) ? w : null;
            if (call is null) continue;
            _known.Remove(decision.Call);
            _pending[resv] = (decision, call);
            var ring = _config.Current.FindQueue(decision.Queue)?.RingTimeoutSeconds ?? 20;
            var lease = TimeSpan.FromSeconds(ring) + _settings.ReservationLeaseMargin;
            var self = Self;
            _regions.Operators.Ask<OperatorCommandReply>(
                    new OperatorEnvelope(decision.Chosen.Value, new OperatorCommand.Reserve(resv, decision.Call, lease)), _settings.AskTimeout)
                .ContinueWith(t => new ReserveResult(resv, t.IsCompletedSuccessfully && t.Result.Reply.Accepted,
                    t.IsCompletedSuccessfully ? t.Result.Reply.Reason : "operator did not answer"))
                .PipeTo(self);
        }
        if (_matcher.NextRelaxationAt(now) is { } next)
            Timers.StartSingleTimer("relax", Rematch.Instance, next - now < TimeSpan.Zero ? TimeSpan.Zero : next - now);
    }

    private void OnReserveResult(ReserveResult r)
    {
        if (!_pending.Remove(r.Reservation, out var p)) return;
        if (r.Accepted)
        {
            // The offer is asked, not told: when the call's node has just died the offer is lost, and the call must then
            // get its place back here and the operator its freedom, instead of both waiting for a lease to run out.
            _offering[r.Reservation] = p;
            var self = Self;
            var resv = r.Reservation;
            _regions.Calls.Ask<CallCommandReply>(new CallEnvelope(p.Decision.Call.Value, new CallCommand.Offer(resv, p.Decision.Chosen, p.Decision)), _settings.OfferTimeout)
                .ContinueWith(t => new OfferResult(resv, t.IsCompletedSuccessfully))
                .PipeTo(self);
            return;
        }
        _log.Info("Router {0}: {1} refused reservation for {2}: {3}", _pool, p.Decision.Chosen, p.Decision.Call, r.Reason);
        // The call goes back at its place; the operator is kept out until it announces itself again.
        _known[p.Call.Id] = p.Call;
        _matcher.UpsertCall(p.Call);
        TryMatch();
    }

    private void OnOfferResult(OfferResult r)
    {
        if (!_offering.Remove(r.Reservation, out var p) || r.Answered) return; // accepted, or refused and released by the call
        _log.Warning("Router {0}: call {1} did not answer the offer of {2}; it keeps its place and the operator is released", _pool, p.Decision.Call, p.Decision.Chosen);
        _regions.Operators.Tell(new OperatorEnvelope(p.Decision.Chosen.Value, new OperatorCommand.Release(r.Reservation, "call did not answer", null)), ActorRefs.NoSender);
        _known[p.Call.Id] = p.Call;
        _matcher.UpsertCall(p.Call);
        TryMatch();
    }

    private sealed record OfferResult(ReservationId Reservation, bool Answered);

    private sealed record ReserveResult(ReservationId Reservation, bool Accepted, string? Reason);

    private sealed class Rematch
    {
        public static readonly Rematch Instance = new();
    }

    private sealed class WarmedUp
    {
        public static readonly WarmedUp Instance = new();
    }
}
