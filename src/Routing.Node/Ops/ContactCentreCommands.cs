using System.Globalization;
using Routing.Cluster.Facade;
using Routing.Ctl.Protocol;
using Routing.Domain;

namespace Routing.Node.Ops;

/// <summary>The contact-centre palette: tenants, queues, operators and calls, live, through the same facade as the API.</summary>
public sealed class ContactCentreCommands(IRoutingService routing)
{
    public static readonly string[] OperatorStates = ["ready", "reserved", "on-call", "wrap-up", "not-ready", "logged-out"];

    private static string N(double? v, string format = "0.#") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ago(DateTimeOffset at) => TimeSpan.FromSeconds(Math.Max(0, Math.Round((DateTimeOffset.UtcNow - at).TotalSeconds))).ToString();

    public async Task Tenants(ICommandOutput output, CancellationToken ct)
    {
        var tenants = routing.Config.Tenants.OrderBy(t => t.Id.Value, StringComparer.Ordinal).ToList();
        var figures = await Task.WhenAll(tenants.Select(t => routing.GetTenantFigures(t.Id, ct)));
        await output.Table("tenants", ["tenant", "name", "numbers", "queues", "waiting", "offered", "answered", "abandoned", "service level %"],
            tenants.Zip(figures).Select(x => (IReadOnlyList<string?>)
            [
                x.Item1.Id.Value, x.Item1.Name, string.Join(",", x.Item1.Numbers), I(x.Item1.Queues.Length),
                I(x.Item2.Total.Waiting), I(x.Item2.Total.Offered), I(x.Item2.Total.Answered), I(x.Item2.Total.Abandoned), N(x.Item2.Total.ServiceLevelPercent),
            ]));
    }

    public async Task Queues(string? tenant, ICommandOutput output, CancellationToken ct)
    {
        var tenants = tenant is null ? [.. routing.Config.Tenants] : new[] { Tenant(tenant) }.ToList();
        var figures = await Task.WhenAll(tenants.Select(t => routing.GetTenantFigures(t.Id, ct)));
        var rows = figures.SelectMany(f => f.Queues.Select(q => (IReadOnlyList<string?>)
        [
            q.Queue, I(q.Waiting), N(q.LongestWaitSeconds, "0"), N(q.ServiceLevelPercent), $"{N(q.ServiceLevelTargetPercent)}/{I(q.ServiceLevelTargetSeconds)}s",
            I(q.Offered), I(q.Answered), I(q.Abandoned), I(q.Overflowed),
            I(q.OperatorsByState.GetValueOrDefault("ready")), I(q.OperatorsByState.Where(kv => kv.Key != "logged-out").Sum(kv => kv.Value)),
        ])).OrderBy(r => r[0], StringComparer.Ordinal);
        await output.Table("queues", ["queue", "waiting", "longest wait s", "service level %", "target", "offered", "answered", "abandoned", "overflowed", "ready", "logged in"], rows);
    }

    public async Task Queue(string id, ICommandOutput output, CancellationToken ct)
    {
        var queue = new QueueId(id);
        if (routing.Config.FindQueue(queue) is null)
            throw new CommandFailedException($"no queue '{id}'" + CommandCatalogue.Suggest(id, routing.Config.Tenants.SelectMany(t => t.Queues).Select(q => q.Id.Value)) + " (queues are named tenant/queue)");
        var f = await routing.GetQueueFigures(queue, ct);
        var waiting = await routing.GetWaitingCalls(queue, ct);
        await output.Table($"queue {id}", ["figure", "value"],
        [
            ["waiting", I(f.Waiting)],
            ["longest wait", $"{N(f.LongestWaitSeconds, "0")} s"],
            ["service level", $"{N(f.ServiceLevelPercent)} % (target {N(f.ServiceLevelTargetPercent)} % in {I(f.ServiceLevelTargetSeconds)} s)"],
            ["average speed of answer", $"{N(f.AverageSpeedOfAnswerSeconds)} s"],
            ["average handle time", $"{N(f.AverageHandleTimeSeconds)} s"],
            ["offered / answered / abandoned / overflowed", $"{I(f.Offered)} / {I(f.Answered)} / {I(f.Abandoned)} / {I(f.Overflowed)}"],
            ["operators", string.Join(" ", f.OperatorsByState.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={I(kv.Value)}"))],
        ]);
        await output.Table("waiting calls", ["position", "call", "priority", "waiting s", "in this queue s"],
            waiting.Select(w => (IReadOnlyList<string?>)[I(w.Position), w.Call, I(w.Priority), N(w.WaitingSeconds, "0"), N(w.InQueueSeconds, "0")]));
    }

    public async Task Operators(string? tenant, string? state, ICommandOutput output, CancellationToken ct)
    {
        if (state is not null && !OperatorStates.Contains(state))
            throw new CommandFailedException($"no operator state '{state}'" + CommandCatalogue.Suggest(state, OperatorStates) + $"; states: {string.Join(", ", OperatorStates)}");
        var t = tenant is null ? null : Tenant(tenant);
        var operators = routing.Config.Operators.Where(o => t is null || o.Tenants.Contains(t.Id)).OrderBy(o => o.Id.Value, StringComparer.Ordinal).ToList();
        var views = await Task.WhenAll(operators.Select(o => routing.GetOperator(o.Id, ct)));
        await output.Table("operators", ["operator", "name", "tenants", "state", "reason", "since", "call", "handled"],
            views.Where(v => state is null || v.Status == state).Select(v => (IReadOnlyList<string?>)
            [
                v.Id, v.Name, string.Join(",", v.Tenants), v.Status, v.Reason ?? "", Ago(v.Since), v.CallId ?? "", I(v.CallsHandled),
            ]));
    }

    public async Task Operator(string id, ICommandOutput output, CancellationToken ct)
    {
        if (routing.Config.FindOperator(new OperatorId(id)) is null)
            throw new CommandFailedException($"no operator '{id}'" + CommandCatalogue.Suggest(id, routing.Config.Operators.Select(o => o.Id.Value)));
        var v = await routing.GetOperator(new OperatorId(id), ct);
        await output.Table($"operator {id}", ["property", "value"],
        [
            ["name", v.Name],
            ["tenants", string.Join(",", v.Tenants)],
            ["state", v.Status],
            ["reason", v.Reason ?? ""],
            ["since", $"{v.Since.ToString("u", CultureInfo.InvariantCulture)} ({Ago(v.Since)} ago)"],
            ["call", v.CallId ?? ""],
            ["reservation", v.ReservationId is null ? "" : $"{v.ReservationId} until {v.LeaseUntil?.ToString("u", CultureInfo.InvariantCulture)}"],
            ["tier", I(v.Tier)],
            ["skills", string.Join(" ", v.Skills.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={I(kv.Value)}"))],
            ["calls handled", I(v.CallsHandled)],
            ["talk time", $"{N(v.TalkTimeSeconds, "0")} s"],
        ]);
    }

    public async Task Call(string id, ICommandOutput output, CancellationToken ct)
    {
        var callId = new CallId(id);
        CallView v;
        try
        {
            v = await routing.GetCall(callId, ct);
        }
        catch (RoutingException e) when (e.Kind == RoutingErrorKind.NotFound)
        {
            throw new CommandFailedException($"no call '{id}' (call ids look like tenant/0123abcd…; `call list --active` lists those in progress)");
        }
        await output.Table($"call {v.Id}", ["property", "value"],
        [
            ["tenant", v.Tenant],
            ["number", v.Number],
            ["caller", v.Caller],
            ["state", v.State],
            ["queue", v.Queue ?? ""],
            ["operator", v.Operator ?? ""],
            ["position", v.Position is { } p ? I(p) : ""],
            ["end cause", v.EndCause ?? ""],
        ]);
        var start = v.Events.IsEmpty ? DateTimeOffset.UtcNow : v.Events[0].At;
        await output.Table("timeline", ["at", "+s", "event", "what happened"],
            v.Events.Select(e => (IReadOnlyList<string?>)[e.At.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture), N((e.At - start).TotalSeconds, "0.0"), e.Type, e.Description]));
    }

    public async Task ActiveCalls(ICommandOutput output, CancellationToken ct)
    {
        var calls = await routing.GetActiveCalls(ct);
        await output.Table("active calls", ["call", "tenant", "state", "queue", "operator", "caller", "number"],
            calls.Select(c => (IReadOnlyList<string?>)[c.Id, c.Tenant, c.State, c.Queue ?? "", c.Operator ?? "", c.Caller, c.Number]));
    }

    private Routing.Domain.Config.TenantConfig Tenant(string id) =>
        routing.Config.FindTenant(new TenantId(id))
        ?? throw new CommandFailedException($"no tenant '{id}'" + CommandCatalogue.Suggest(id, routing.Config.Tenants.Select(t => t.Id.Value)) +
                                            $"; tenants: {string.Join(", ", routing.Config.Tenants.Select(t => t.Id.Value))}");
}
