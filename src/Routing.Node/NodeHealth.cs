using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Sharding;

namespace Routing.Node;

/// <summary>
/// Liveness and readiness with Akka.HealthCheck's meaning, on every node (not only api nodes: routing and gateway pods
/// need probes too). <c>/healthz</c>: the ActorSystem runs and this node is a member (joining, up, leaving...), so a
/// restart would not help otherwise. <c>/ready</c>: this node is Up, its shard regions (or proxies) have started, and
/// the journal answers a recovery (a real round trip through the persistence plugin, at most once a second).
/// Both answer 200 or 503 with a JSON body naming each check; no key is needed (probes carry none).
/// </summary>
public sealed class NodeHealth(ActorSystem system)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _probing = new(1, 1);
    private (DateTime At, bool Ok, string Detail) _lastProbe = (DateTime.MinValue, false, "not probed yet");
    private int _probeRun;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Respond(Live()));
        app.MapGet("/ready", async () => Respond(await Ready()));
    }

    private static IResult Respond((bool Ok, Dictionary<string, object> Checks) r) =>
        Results.Json(new { status = r.Ok ? "ok" : "unavailable", checks = r.Checks }, statusCode: r.Ok ? 200 : 503);

    private (bool Ok, Dictionary<string, object> Checks) Live()
    {
        var running = !system.WhenTerminated.IsCompleted;
        var status = running ? Akka.Cluster.Cluster.Get(system).SelfMember.Status : MemberStatus.Removed;
        var member = running && status is not (MemberStatus.Removed or MemberStatus.Down);
        return (running && member, new()
        {
            ["actor-system"] = running ? "running" : "terminated",
            ["member"] = status.ToString().ToLowerInvariant(),
        });
    }

    private async Task<(bool Ok, Dictionary<string, object> Checks)> Ready()
    {
        var (live, checks) = Live();
        if (!live) return (false, checks);
        var up = Akka.Cluster.Cluster.Get(system).SelfMember.Status == MemberStatus.Up;
        var regions = Regions.Get(system);
        var started = new[] { regions.Operators, regions.Calls, regions.Queues, regions.Routers, regions.Config }.All(r => !r.IsNobody());
        var (journal, detail) = await ProbeJournal();
        checks["up"] = up;
        checks["shard-regions"] = started ? "started" : "not started";
        checks["journal"] = detail;
        return (up && started && journal, checks);
    }

    private async Task<(bool, string)> ProbeJournal()
    {
        if (DateTime.UtcNow - _lastProbe.At < TimeSpan.FromSeconds(1)) return (_lastProbe.Ok, _lastProbe.Detail);
        await _probing.WaitAsync();
        try
        {
            if (DateTime.UtcNow - _lastProbe.At < TimeSpan.FromSeconds(1)) return (_lastProbe.Ok, _lastProbe.Detail);
            var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = DateTime.UtcNow;
            var probe = system.ActorOf(Props.Create(() => new JournalProbe(done)), $"health-journal-{Interlocked.Increment(ref _probeRun)}");
            var finished = await Task.WhenAny(done.Task, Task.Delay(ProbeTimeout));
            probe.Tell(PoisonPill.Instance);
            var ms = (DateTime.UtcNow - started).TotalMilliseconds;
            _lastProbe = finished == done.Task && done.Task.Result is null
                ? (DateTime.UtcNow, true, $"reachable ({ms:0} ms)")
                : (DateTime.UtcNow, false, finished == done.Task ? $"failing: {done.Task.Result}" : $"no answer within {ProbeTimeout.TotalSeconds:0} s");
            return (_lastProbe.Ok, _lastProbe.Detail);
        }
        finally
        {
            _probing.Release();
        }
    }

    /// <summary>Recovers a persistence id that never has events: the plugin asks the database for its highest sequence number.</summary>
    private sealed class JournalProbe(TaskCompletionSource<string?> done) : UntypedPersistentActor
    {
        public override string PersistenceId => "health-probe";

        protected override void OnRecover(object message)
        {
            if (message is RecoveryCompleted) done.TrySetResult(null);
        }

        protected override void OnCommand(object message) { }

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            done.TrySetResult(reason.Message);
        }
    }
}
