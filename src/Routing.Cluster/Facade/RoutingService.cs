using System.Collections.Immutable;
using Akka.Actor;
using Routing.Cluster.Config;
using Routing.Cluster.Entities;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Config;
using Routing.Domain.Operators;
using Routing.Domain.Queues;
using Routing.Domain.Routing;

namespace Routing.Cluster.Facade;

/// <summary>The routing core as the api role sees it: each method is a round-trip to the sharded entities.</summary>
public sealed class RoutingService(ActorSystem system, RoutingSettings settings, TimeProvider clock) : IRoutingService
{
    private readonly Regions _regions = Regions.Get(system);
    private readonly ConfigView _view = ConfigView.Get(system);

    public ProviderConfig Config => _view.Current;

    private async Task<T> Ask<T>(IActorRef region, object message, CancellationToken ct)
    {
        try
        {
            return await region.Ask<T>(message, settings.AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            throw new RoutingException(RoutingErrorKind.Unavailable, "the routing cluster did not answer in time; retry shortly");
        }
    }

    // ---- configuration ---------------------------------------------------------------------------

    public async Task<ProviderConfig> ChangeConfig(ConfigChange change, CancellationToken ct = default)
    {
        var current = Config;
        var (kind, id, text) = change switch
        {
            ConfigChange.UpsertTenant t => (ConfigOverlayMerge.Tenant, t.Tenant.Id.Value, (string?)ConfigWriter.ToJson(ConfigWriter.Tenant(t.Tenant), indented: false)),
            ConfigChange.DeleteTenant t => current.FindTenant(t.Tenant) is null
                ? throw new RoutingException(RoutingErrorKind.NotFound, $"tenant {t.Tenant} does not exist")
                : (ConfigOverlayMerge.Tenant, t.Tenant.Value, (string?)null),
            ConfigChange.UpsertQueue q => current.FindTenant(q.Queue.Id.Tenant) is null
                ? throw new RoutingException(RoutingErrorKind.NotFound, $"tenant {q.Queue.Id.Tenant} does not exist")
                : (ConfigOverlayMerge.Queue, q.Queue.Id.Value, ConfigWriter.ToJson(ConfigWriter.Queue(q.Queue), indented: false)),
            ConfigChange.DeleteQueue q => current.FindQueue(q.Queue) is null
                ? throw new RoutingException(RoutingErrorKind.NotFound, $"queue {q.Queue} does not exist")
                : (ConfigOverlayMerge.Queue, q.Queue.Value, (string?)null),
            ConfigChange.UpsertOperator o => (ConfigOverlayMerge.Operator, o.Operator.Id.Value, ConfigWriter.ToJson(ConfigWriter.Operator(o.Operator), indented: false)),
            ConfigChange.DeleteOperator o => current.FindOperator(o.Operator) is null
                ? throw new RoutingException(RoutingErrorKind.NotFound, $"operator {o.Operator} does not exist")
                : (ConfigOverlayMerge.Operator, o.Operator.Value, (string?)null),
            _ => throw new RoutingException(RoutingErrorKind.Invalid, "unknown configuration change"),
        };
        if (change is ConfigChange.UpsertOperator op)
        {
            var unknown = op.Operator.Tenants.Where(t => current.FindTenant(t) is null).ToList();
            if (unknown.Count > 0) throw new RoutingException(RoutingErrorKind.Invalid, $"operator serves unknown tenant(s): {string.Join(", ", unknown)}");
        }
        // Check the result is a valid whole before persisting it.
        try
        {
            ConfigOverlayMerge.Apply(current, new ConfigChangeRecorded(clock.GetUtcNow(), kind, id, text));
        }
        catch (ConfigException ex)
        {
            throw new RoutingException(RoutingErrorKind.Invalid, ex.Message);
        }
        var overlay = await Ask<ConfigOverlay>(_regions.Config,
            new ConfigStoreEnvelope(ConfigStoreActor.EntityName, new ConfigStoreCommand.Record(kind, id, text)), ct);
        _view.ApplyOverlay(overlay);
        return Config;
    }

    // ---- operators -------------------------------------------------------------------------------

    public async Task<OperatorView> GetOperator(OperatorId id, CancellationToken ct = default)
    {
        var cfg = Config.FindOperator(id) ?? throw new RoutingException(RoutingErrorKind.NotFound, $"operator {id} does not exist");
        var reply = await Ask<OperatorStateReply>(_regions.Operators, new GetOperatorState(id.Value), ct);
        return ToView(cfg, reply.State);
    }

    public async Task<OperatorView> OperatorAction(OperatorId id, OperatorAction action, CancellationToken ct = default)
    {
        var cfg = Config.FindOperator(id) ?? throw new RoutingException(RoutingErrorKind.NotFound, $"operator {id} does not exist");
        OperatorCommand command = action switch
        {
            Facade.OperatorAction.LogIn => new OperatorCommand.LogIn(),
            Facade.OperatorAction.Ready => new OperatorCommand.MakeReady(),
            Facade.OperatorAction.NotReady nr => new OperatorCommand.MakeNotReady(nr.Reason),
            Facade.OperatorAction.LogOut => new OperatorCommand.LogOut(),
            _ => throw new RoutingException(RoutingErrorKind.Invalid, "unknown operator action"),
        };
        var reply = await Ask<OperatorCommandReply>(_regions.Operators, new OperatorEnvelope(id.Value, command), ct);
        if (!reply.Reply.Accepted) throw new RoutingException(RoutingErrorKind.Conflict, reply.Reply.Reason ?? "refused");
        return ToView(cfg, reply.State);
    }

    private static OperatorView ToView(OperatorConfig cfg, OperatorState s) => new(
        cfg.Id.Value, cfg.Name, RouterActor.ToName(s.Status),
        s.Status == OperatorStatus.NotReady ? s.Reason : s.PendingNotReady is { } p ? $"pending: {p}" : null,
        s.Since, s.Call?.Value, s.Reservation?.Value, s.LeaseUntil, cfg.Tier, cfg.Skills,
        [.. cfg.Tenants.Select(t => t.Value)], s.CallsHandled, s.TalkTime.TotalSeconds);

    // ---- calls -----------------------------------------------------------------------------------

    public async Task<CallView> OfferCall(OfferCallRequest request, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(request.Number)) throw new RoutingException(RoutingErrorKind.Invalid, "number is required");
        var tenant = Config.FindTenantByNumber(request.Number.Trim())
            ?? throw new RoutingException(RoutingErrorKind.NotFound, $"number {request.Number} is not configured for any tenant");
        if (request.Digits is { } digits && digits.Any(d => !(char.IsAsciiDigit(d) || d is '*' or '#')))
            throw new RoutingException(RoutingErrorKind.Invalid, "digits may contain only 0-9, * and #");
        var id = CallId.New(tenant.Id);
        var start = await Ask<CallCommandReply>(_regions.Calls,
            new CallEnvelope(id.Value, new CallCommand.Start(request.Number.Trim(), request.Caller ?? "", request.Channel, request.Digits)), ct);
        if (!start.Reply.Accepted) throw new RoutingException(RoutingErrorKind.Conflict, start.Reply.Reason ?? "refused");
        return await GetCall(id, ct);
    }

    public async Task<CallView> GetCall(CallId id, CancellationToken ct = default)
    {
        if (Config.FindTenant(id.Tenant) is null) throw new RoutingException(RoutingErrorKind.NotFound, $"call {id} does not exist");
        var reply = await Ask<CallStateReply>(_regions.Calls, new GetCallState(id.Value), ct);
        if (reply.State.Phase == CallPhase.New && reply.History.IsEmpty)
            throw new RoutingException(RoutingErrorKind.NotFound, $"call {id} does not exist");
        int? position = null;
        double? ewt = null;
        if (reply.State.Phase == CallPhase.Queued)
        {
            try
            {
                var est = await _regions.Routers.Ask<EstimateReply>(
                    new RouterEnvelope(Config.PoolOf(id.Tenant).Value, new RouterMessage.GetEstimate(id)), TimeSpan.FromSeconds(2), ct);
                position = est.Position;
                ewt = est.ExpectedWaitSeconds;
            }
            catch (AskTimeoutException)
            {
                // The estimate is a courtesy: the call itself is answered without it.
            }
        }
        return ToView(reply.State, reply.History, position, ewt);
    }

    public async Task<CallView> CallAction(CallId id, CallAction action, CancellationToken ct = default)
    {
        await GetCall(id, ct); // 404 for unknown calls
        CallCommand command = action switch
        {
            Facade.CallAction.Digit d => new CallCommand.Digit(d.Value),
            Facade.CallAction.Answer a => new CallCommand.Answer(a.Operator),
            Facade.CallAction.Reject r => new CallCommand.Reject(r.Operator, string.IsNullOrWhiteSpace(r.Reason) ? "declined" : r.Reason),
            Facade.CallAction.HangUp h => new CallCommand.HangUp(h.Side is "operator" ? "operator" : "caller"),
            Facade.CallAction.Transfer t => new CallCommand.Transfer(t.Target?.Trim() ?? "", "api"),
            _ => throw new RoutingException(RoutingErrorKind.Invalid, "unknown call action"),
        };
        var reply = await Ask<CallCommandReply>(_regions.Calls, new CallEnvelope(id.Value, command), ct);
        if (!reply.Reply.Accepted) throw new RoutingException(RoutingErrorKind.Conflict, reply.Reply.Reason ?? "refused");
        return await GetCall(id, ct);
    }

    public static CallView ToView(CallState s, ImmutableArray<CallEvent> history, int? position, double? ewt) => new(
        s.Id.Value, s.Tenant.Value, s.Number, s.Caller, s.Phase.ToString().ToLowerInvariant(), s.Queue?.Value,
        s.Operator?.Value, position, ewt, s.EndCause, [.. history.Select(Describe)]);

    public static CallEventView Describe(CallEvent e) => e switch
    {
        CallStarted x => new(x.At, "offered", $"call from {x.Caller} to {x.Number} via {x.Channel}", null),
        CallClosedRuleApplied x => new(x.At, "closed", $"{x.Scope} closed: {x.Rule}", null),
        CallMenuEntered x => new(x.At, "menu", x.Path.Length == 0 ? $"menu: {x.Prompt}" : $"sub-menu {x.Path}: {x.Prompt}", null),
        CallDigitPressed x => new(x.At, "menu-choice", x.Digit.Length == 0 ? x.Outcome : $"pressed {x.Digit}: {x.Outcome}", null),
        CallQueued x => new(x.At, "queued", $"queued in {x.Queue} (priority {x.Priority})", null),
        CallOfferedToOperator x => new(x.At, "offered-to-operator",
            x.Decision is { } d ? $"offered to operator {x.Operator}: {d.Why}" : $"offered to operator {x.Operator}", x.Decision),
        CallOfferFailed x => new(x.At, "offer-failed", $"operator {x.Operator} did not take the call ({x.Reason}); back at its place in the queue", null),
        CallConnected x => new(x.At, "connected", $"connected to operator {x.Operator} after {x.WaitSeconds:0.#}s", null),
        CallTransferred x => new(x.At, "transferred", $"transferred to {x.Target} by {x.By}", null),
        CallOverflowed x => new(x.At, "overflowed", $"overflowed from {x.From} to {x.Target}", null),
        CallEnded x => new(x.At, "ended", $"ended: {x.Cause} ({x.Detail})", null),
        _ => new(e.At, e.GetType().Name, "", null),
    };

    // ---- figures ---------------------------------------------------------------------------------

    public async Task<QueueFiguresView> GetQueueFigures(QueueId id, CancellationToken ct = default)
    {
        var cfg = Config.FindQueue(id) ?? throw new RoutingException(RoutingErrorKind.NotFound, $"queue {id} does not exist");
        return (await QueueFiguresOf(cfg, ct)).View;
    }

    private async Task<(QueueFiguresReply Raw, QueueFiguresView View)> QueueFiguresOf(QueueConfig cfg, CancellationToken ct)
    {
        var figures = Ask<QueueFiguresReply>(_regions.Queues, new QueueEnvelope(cfg.Id.Value, new QueueCommand.GetFigures()), ct);
        var counts = Ask<OperatorCountsReply>(_regions.Routers,
            new RouterEnvelope(Config.PoolOf(cfg.Id.Tenant).Value, new RouterMessage.GetOperatorCounts(cfg.Id)), ct);
        var f = await figures;
        var c = await counts;
        return (f, ToView(cfg.Id.Value, cfg.ServiceLevel, f.Waiting, f.OldestWaitingSince, c.ByState, f.Figures));
    }

    private QueueFiguresView ToView(string name, ServiceLevelTarget sl, int waiting, DateTimeOffset? oldest,
        ImmutableDictionary<string, int> byState, QueueFigures k) => new(
        name, waiting, oldest is { } o ? Math.Max(0, (clock.GetUtcNow() - o).TotalSeconds) : 0, byState,
        k.ServiceLevelPercent, sl.Percent, sl.Seconds, k.AverageSpeedOfAnswer?.TotalSeconds,
        k.Offered, k.Answered, k.Abandoned, k.Overflowed, k.AverageHandleTime?.TotalSeconds);

    public async Task<TenantFiguresView> GetTenantFigures(TenantId id, CancellationToken ct = default)
    {
        var tenant = Config.FindTenant(id) ?? throw new RoutingException(RoutingErrorKind.NotFound, $"tenant {id} does not exist");
        var perQueue = await Task.WhenAll(tenant.Queues.Select(q => QueueFiguresOf(q, ct)));
        var raw = perQueue.Select(p => p.Raw).ToList();
        // Per-queue service-level counts are summed as they are (each against its own queue's target).
        var sum = raw.Select(r => r.Figures).Aggregate(QueueFigures.Empty(), (a, f) => a.Add(f));
        var oldest = raw.Where(r => r.OldestWaitingSince is not null).Select(r => r.OldestWaitingSince).Min();
        // Operators are counted once per tenant (an operator may fit several of its queues).
        var counts = await Ask<OperatorCountsReply>(_regions.Routers,
            new RouterEnvelope(Config.PoolOf(id).Value, new RouterMessage.GetOperatorCounts(new QueueId($"{id.Value}/*"))), ct);
        var target = tenant.Queues.FirstOrDefault()?.ServiceLevel ?? ServiceLevelTarget.Default;
        var total = ToView(id.Value, target, raw.Sum(r => r.Waiting), oldest, counts.ByState, sum);
        return new TenantFiguresView(id.Value, total, [.. perQueue.Select(p => p.View)]);
    }

    public async Task<ImmutableArray<WaitingCallView>> GetWaitingCalls(QueueId id, CancellationToken ct = default)
    {
        if (Config.FindQueue(id) is null) throw new RoutingException(RoutingErrorKind.NotFound, $"queue {id} does not exist");
        var reply = await Ask<QueueFiguresReply>(_regions.Queues, new QueueEnvelope(id.Value, new QueueCommand.GetFigures()), ct);
        var now = clock.GetUtcNow();
        // The router's order within one queue: priority first, then the longest wait (from the first queue it joined).
        return [.. (reply.Entries ?? []).OrderByDescending(e => e.Priority).ThenBy(e => e.FirstQueuedAt).ThenBy(e => e.Seq)
            .Select((e, i) => new WaitingCallView(i + 1, e.Call.Value, e.Priority,
                Math.Max(0, (now - e.FirstQueuedAt).TotalSeconds), Math.Max(0, (now - e.JoinedAt).TotalSeconds)))];
    }

    public async Task<ImmutableArray<CallView>> GetActiveCalls(CancellationToken ct = default)
    {
        // Each node's call region knows the entities it hosts; the calls themselves say whether they are over.
        var cluster = Akka.Cluster.Cluster.Get(system);
        var role = system.Settings.Config.GetString("akka.cluster.sharding.role", "");
        var nodes = cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up && (role.Length == 0 || m.HasRole(role)));
        var timeout = settings.AskTimeout;
        var states = await Task.WhenAll(nodes.Select(async m =>
        {
            try
            {
                var region = system.ActorSelection(new RootActorPath(m.Address) / "system" / "sharding" / Regions.Call);
                return await region.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, timeout, ct);
            }
            catch (AskTimeoutException)
            {
                throw new RoutingException(RoutingErrorKind.Unavailable, $"node {m.Address} did not list its calls within {timeout.TotalSeconds:0}s");
            }
        }));
        var ids = states.SelectMany(s => s.Shards).SelectMany(s => s.EntityIds).Distinct().ToList();
        var views = new List<CallView>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var reply = await Ask<CallStateReply>(_regions.Calls, new GetCallState(id), ct);
                if (reply.State.Phase is CallPhase.New or CallPhase.Ended) return;
                var view = ToView(reply.State, [], null, null);
                lock (views) views.Add(view);
            }
            catch (RoutingException)
            {
                // A call that does not answer now is reported by the next listing.
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. views.OrderBy(v => v.Id, StringComparer.Ordinal)];
    }

    public async Task<string> ExportArrivalsCsv(TenantId id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct = default)
    {
        if (Config.FindTenant(id) is null) throw new RoutingException(RoutingErrorKind.NotFound, $"tenant {id} does not exist");
        return Reports.ArrivalExport.ToCsv(await Reports.ArrivalExport.ReadAsync(system, id, from, to, ct));
    }
}
