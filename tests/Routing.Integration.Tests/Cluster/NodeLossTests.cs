using System.Text;
using System.Text.Json.Nodes;
using Routing.Integration.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Routing.Integration.Tests.Cluster;

/// <summary>
/// Three routing nodes and an edge node (gateway + api) as real processes on loopback with a real PostgreSQL,
/// started by tools/cluster.sh; callers and operators keep working through the edge node's API while a routing
/// node is killed, leaves, or every node is restarted in turn. Each test then reads every call's story back from the
/// cluster (recovered from the journal) and checks what a contact centre promises.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeLossTests(ClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_of_the_oldest_routing_node_under_load_loses_no_call()
    {
        await cluster.EnsureAllUp();
        var phase = await cluster.BeginPhase();
        await Task.Delay(TimeSpan.FromSeconds(10)); // load runs before the failure
        var killedAt = cluster.Load.Elapsed;
        var killedWall = DateTimeOffset.UtcNow;
        await cluster.Cluster.Kill(1); // the oldest: it holds the shard coordinators and the singletons
        await Task.Delay(TimeSpan.FromSeconds(20));
        var report = await cluster.EndPhase(phase, output);
        output.WriteLine($"kill -9 at {killedAt.TotalSeconds:0.0}s; calls completed/s before {cluster.Load.CompletedPerSecond(killedAt - TimeSpan.FromSeconds(10), killedAt):0.0}, " +
                         $"in the 10 s after {cluster.Load.CompletedPerSecond(killedAt, killedAt + TimeSpan.FromSeconds(10)):0.0}, " +
                         $"10-20 s after {cluster.Load.CompletedPerSecond(killedAt + TimeSpan.FromSeconds(10), killedAt + TimeSpan.FromSeconds(20)):0.0}");
        // Until the dead node's shards are home again, a call that lived there cannot be offered; the others go on.
        report.AssertAll(disturbed: (killedWall, killedWall + TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task A_node_frozen_until_it_is_downed_exits_with_code_3_and_the_others_go_on()
    {
        await cluster.EnsureAllUp();
        var phase = await cluster.BeginPhase();
        await Task.Delay(TimeSpan.FromSeconds(5));
        int Decisions() => new[] { "edge", "routing-1", "routing-2" }
            .Sum(n => cluster.Cluster.Log(n).Split("SBR took decision").Length - 1);
        var decisionsBefore = Decisions();
        var pausedAt = DateTimeOffset.UtcNow;
        await cluster.Cluster.Pause(3); // a stalled VM or an endless GC pause: no heartbeats, no leave
        // The survivors' resolver (on the leader) downs it: keep-majority, 3 of the 4 members are on this side.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        bool Downed() => Decisions() > decisionsBefore;
        while (DateTime.UtcNow < deadline && !Downed()) await Task.Delay(250);
        Assert.True(Downed(), "routing node 3 was not downed within 60 s of freezing");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var resumedAt = DateTimeOffset.UtcNow;
        await cluster.Cluster.Resume(3);
        // Woken up, it learns it was removed and exits with code 3 so that its supervisor starts it again.
        int? code = null;
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && (code = await cluster.Cluster.ExitCode(3)) is null) await Task.Delay(250);
        Assert.Equal(3, code);
        Assert.Contains("downed or removed", cluster.Cluster.Log("routing-3"));
        await cluster.Cluster.StartNode(3); // what the supervisor does; it joins again
        var report = await cluster.EndPhase(phase, output);
        // Calls whose entities were on the frozen node wait until it is downed and they are back (as after a kill).
        // When the frozen node held the shard coordinators (it is the oldest after the earlier tests' restarts), they
        // move as well, and the last entities came back up to about 30 s later in trials.
        report.AssertAll(disturbed: (pausedAt, resumedAt + TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_graceful_leave_under_load_loses_no_call()
    {
        await cluster.EnsureAllUp();
        var phase = await cluster.BeginPhase();
        await Task.Delay(TimeSpan.FromSeconds(8));
        await cluster.Cluster.Leave(2); // SIGTERM: hands its shards off and leaves
        Assert.Contains("routing: stopped", cluster.Cluster.Log("routing-2"));
        await Task.Delay(TimeSpan.FromSeconds(10));
        var report = await cluster.EndPhase(phase, output);
        report.AssertAll();
    }

    [Fact]
    public async Task A_rolling_restart_of_every_routing_node_under_load_loses_no_call()
    {
        await cluster.EnsureAllUp();
        var phase = await cluster.BeginPhase();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rollStart = DateTimeOffset.UtcNow;
        await cluster.Cluster.Roll(); // each node leaves, then starts and joins again, one after the other
        var rollEnd = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var report = await cluster.EndPhase(phase, output);
        // Shards move at every leave and join (hand-off, then rebalancing onto the new node): a call whose shard is
        // moving waits while the others are served. Order is judged before and after the roll.
        report.AssertAll(disturbed: (rollStart, rollEnd + TimeSpan.FromSeconds(10)));
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "local cluster";
}

public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Tenant = NodeLossConfig.Tenant;
    public const string Number = NodeLossConfig.Number;
    public const string QueueId = NodeLossConfig.QueueId;
    public static IReadOnlyList<string> Operators => NodeLossConfig.Operators;
    public static string ConfigYaml => NodeLossConfig.ConfigYaml;

    public LocalCluster Cluster { get; private set; } = null!;
    public ContactCentreLoad Load { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await LocalCluster.StartAsync(3, ConfigYaml);
        // 8 operators talking 1.5-3.5 s serve about 3.2 calls/s; 4 arrive: a queue forms, some callers give up, some overflow.
        Load = new ContactCentreLoad(Cluster.Api, "cc-tenant-key", Number, Operators) { Rate = 4, TalkSeconds = (1.5, 3.5) };
        await Load.StartOperatorsAsync();
    }

    public async Task DisposeAsync()
    {
        await Load.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public async Task EnsureAllUp()
    {
        for (var i = 1; i <= Cluster.RoutingNodes; i++)
            if (!await Cluster.IsAlive(i)) await Cluster.StartNode(i);
    }

    public sealed record Phase(TimeSpan Start, JsonNode Figures, IReadOnlyDictionary<string, int> Handled, long JournalMark);

    public async Task<Phase> BeginPhase()
    {
        var figures = await Eventually(() => Load.GetJson($"api/tenants/{Tenant}/queues/{QueueId}/figures"));
        var handled = new Dictionary<string, int>();
        foreach (var op in Operators)
            handled[op] = (await Eventually(() => Load.GetOperator(op)))["state"]!["callsHandled"]!.GetValue<int>();
        var mark = long.Parse((await Cluster.Sql("SELECT coalesce(max(ordering), 0) FROM journal")).Trim());
        var phase = new Phase(Load.Elapsed, figures, handled, mark);
        Load.StartOffering();
        return phase;
    }

    /// <summary>Stops offering, lets every call end, and reads back what the cluster says happened.</summary>
    public async Task<PhaseReport> EndPhase(Phase phase, ITestOutputHelper output)
    {
        await Load.StopOfferingAsync();
        var drained = await Load.DrainAsync(TimeSpan.FromSeconds(90));
        var report = new PhaseReport(output) { Drained = drained, OfferErrors = Load.OfferErrors, LongestStall = Load.LongestStall() };
        var calls = Load.Calls.Values.Where(c => c.OfferedAt >= phase.Start).ToList();
        // Every call the journal started in this phase, also those whose offer timed out at the API (the caller
        // heard an error) but which started anyway: none of them may be left behind either.
        var started = (await Cluster.Sql($"SELECT persistence_id FROM journal WHERE ordering > {phase.JournalMark} AND manifest = 'CallStarted'"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p["call-".Length..]).ToList();
        var known = calls.Select(c => c.Id).ToHashSet();
        var unknown = started.Where(id => !known.Contains(id)).ToList();
        calls.AddRange(unknown.Select(id => Load.Calls.GetValueOrDefault(id) ?? new CallerRecord(id)));
        var unfinishedDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        report.Unknown = unknown.Count;
        foreach (var c in calls)
        {
            var view = await Eventually(() => Load.GetCall(c.Id));
            // A call nobody knew waits for its overflow rule (12 s); give it that long to end.
            while (view["state"]!.ToString() != "ended" && unknown.Contains(c.Id) && DateTime.UtcNow < unfinishedDeadline)
            {
                await Task.Delay(500);
                view = await Eventually(() => Load.GetCall(c.Id));
            }
            report.Calls.Add(new ObservedCall(c, view, Load.AnsweredBy.GetValueOrDefault(c.Id)));
        }

        // Operators: back to ready once their short no-answer pauses are over, each with the calls the journal gave them.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var op in Operators)
        {
            JsonNode state;
            do
            {
                state = (await Eventually(() => Load.GetOperator(op)))["state"]!;
                if (state["status"]!.ToString() == "ready") break;
                await Task.Delay(200);
            } while (DateTime.UtcNow < deadline);
            report.Operators[op] = (state["status"]!.ToString(), state["callsHandled"]!.GetValue<int>() - phase.Handled[op]);
        }
        var figures = await Eventually(() => Load.GetJson($"api/tenants/{Tenant}/queues/{QueueId}/figures"));
        foreach (var key in new[] { "offered", "answered", "abandoned", "overflowed" })
            report.Figures[key] = figures[key]!.GetValue<int>() - phase.Figures[key]!.GetValue<int>();
        report.JournalledCalls = started.Count;
        report.Print();
        return report;
    }

    private static async Task<JsonNode> Eventually(Func<Task<JsonNode?>> get)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if (await get() is { } v) return v;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the cluster did not answer within 60 s");
            await Task.Delay(250);
        }
    }
}

public sealed record ObservedCall(CallerRecord Driver, JsonNode View, string? AnsweredBy)
{
    public string Id => Driver.Id;
    public string State => View["state"]!.ToString();
    public string? Cause => View["endCause"]?.ToString();
    public IReadOnlyList<(DateTimeOffset At, string Type, string Description)> Events =>
        [.. ((JsonArray)View["events"]!).Select(e => (e!["at"]!.GetValue<DateTimeOffset>(), e["type"]!.ToString(), e["description"]!.ToString()))];
    public DateTimeOffset? First(string type) => Events.Where(e => e.Type == type).Select(e => (DateTimeOffset?)e.At).FirstOrDefault();
}

public sealed class PhaseReport(ITestOutputHelper output)
{
    public bool Drained { get; init; }
    public int OfferErrors { get; init; }
    public TimeSpan LongestStall { get; init; }
    public List<ObservedCall> Calls { get; } = [];
    public Dictionary<string, (string Status, int Handled)> Operators { get; } = [];
    public Dictionary<string, int> Figures { get; } = [];
    public int JournalledCalls { get; set; }
    public int Unknown { get; set; }

    public void Print()
    {
        output.WriteLine($"calls {Calls.Count}: " + string.Join(", ", Calls.GroupBy(c => c.Cause ?? c.State).Select(g => $"{g.Key} {g.Count()}")) +
                         $"; offers refused (cumulative) {OfferErrors}, of which started anyway {Unknown}; longest API stall {LongestStall.TotalSeconds:0.0}s; drained {Drained}");
        output.WriteLine("queue figures (delta): " + string.Join(", ", Figures.Select(f => $"{f.Key} {f.Value}")));
        output.WriteLine("operators: " + string.Join(", ", Operators.Select(o => $"{o.Key} {o.Value.Status} +{o.Value.Handled}")));
    }

    /// <param name="disturbed">
    /// While a dead node's entities are not yet back, a call that lived there cannot be offered and is passed by the
    /// calls that can; offers in this window are not judged for order (they are for everything else).
    /// </param>
    public void AssertAll((DateTimeOffset From, DateTimeOffset To)? disturbed = null)
    {
        Assert.True(Calls.Count > 30, $"the load offered only {Calls.Count} calls");

        // None stuck, none lost: every call the callers were given ended, answered, abandoned or overflowed.
        var unfinished = Calls.Where(c => c.State != "ended").Select(c => $"{c.Id} {c.State}").ToList();
        Assert.True(unfinished.Count == 0, "calls that never ended: " + string.Join("; ", unfinished));
        var odd = Calls.Where(c => c.Cause is not ("completed" or "abandoned" or "overflowed-out"))
            .Select(c => $"{c.Id} {c.Cause}: {string.Join(" | ", c.Events.Select(e => e.Description))}").ToList();
        Assert.True(odd.Count == 0, "calls that ended otherwise: " + string.Join("\n", odd));

        // The journal tells each call's true story.
        foreach (var c in Calls)
        {
            var types = c.Events.Select(e => e.Type).ToList();
            Assert.Equal("offered", types[0]);
            Assert.Equal("ended", types[^1]);
            Assert.Equal(1, types.Count(t => t == "ended"));
            var connected = types.Count(t => t == "connected");
            if (c.Cause == "completed")
            {
                Assert.Equal(1, connected);
                Assert.True(c.AnsweredBy is not null, $"{c.Id} completed, but none of the operators answered it");
                Assert.Equal(c.AnsweredBy, c.View["operator"]?.ToString());
            }
            else Assert.Equal(0, connected);
            if (c.Cause == "overflowed-out") Assert.Contains("overflowed", types);
        }

        // No operator double-booked: each operator's connected periods (from the calls' journals) never overlap.
        foreach (var byOperator in Calls.Where(c => c.Cause == "completed").GroupBy(c => c.View["operator"]!.ToString()))
        {
            var periods = byOperator.Select(c => (From: c.First("connected")!.Value, To: c.First("ended")!.Value, c.Id)).OrderBy(p => p.From).ToList();
            for (var i = 1; i < periods.Count; i++)
                Assert.True(periods[i].From >= periods[i - 1].To,
                    $"operator {byOperator.Key} was connected to {periods[i - 1].Id} and {periods[i].Id} at once");
        }

        // Waiting calls keep their order: no call is offered while a call that queued clearly (1 s) earlier goes on
        // waiting for more than a retry of its offer.
        var queued = Calls.Where(c => c.First("queued") is not null).ToList();
        var overtaken = new List<string>();
        foreach (var b in queued.Where(c => c.First("offered-to-operator") is not null))
        {
            var offeredB = b.First("offered-to-operator")!.Value;
            if (disturbed is { } d && offeredB >= d.From && offeredB <= d.To) continue;
            foreach (var a in queued)
            {
                if (a.First("queued")!.Value.AddSeconds(1) >= b.First("queued")!.Value) continue;
                var offeredA = a.First("offered-to-operator");
                var endedA = a.First("ended")!.Value;
                // A call whose offer got no answer (its shard was moving) is offered again after offer-timeout (3 s):
                // it may be passed for that long, no longer.
                if ((offeredA is null || offeredA > offeredB) && (offeredA ?? endedA) > offeredB.AddSeconds(5))
                    overtaken.Add($"{b.Id} offered at {offeredB:HH:mm:ss.fff} while {a.Id} (queued {a.First("queued"):HH:mm:ss.fff}) waited");
            }
        }
        Assert.True(overtaken.Count == 0, "calls overtaken in the queue:\n" + string.Join("\n", overtaken.Take(10)));

        // Operators' states intact: all ready again, and each one's journal counted exactly the calls it completed.
        foreach (var (op, (status, handled)) in Operators)
        {
            Assert.True(status == "ready", $"operator {op} is {status}, not ready");
            var completed = Calls.Count(c => c.Cause == "completed" && c.View["operator"]?.ToString() == op);
            Assert.True(handled == completed, $"operator {op}: its journal counts {handled} calls handled in this phase, the calls' journals {completed}");
        }

        // The queue's figures agree with the calls (every call of the phase, including any whose offer timed out at the API).
        Assert.Equal(Calls.Count, Figures["offered"]);
        Assert.Equal(Calls.Count(c => c.Cause == "completed"), Figures["answered"]);
        Assert.Equal(Calls.Count(c => c.Cause == "abandoned"), Figures["abandoned"]);
        Assert.Equal(Calls.Count(c => c.Cause == "overflowed-out"), Figures["overflowed"]);
        Assert.True(Drained, "the load did not drain within 90 s");
        Assert.Equal(JournalledCalls, Calls.Count);
    }
}
