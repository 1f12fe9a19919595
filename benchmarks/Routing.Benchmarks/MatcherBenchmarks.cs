using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Benchmarks;

/// <summary>
/// One routing decision of <see cref="PoolMatcher"/> in steady state: the pool holds N ready operators (or N
/// waiting calls), one thing changes, and Match finds the single pair it allows. Each invocation also puts the
/// pool back as it was (the reserved operator ready again, or the matched call waiting again), as a router
/// would see it on the next announcement.
/// </summary>
[MemoryDiagnoser]
public class MatcherBenchmarks
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TenantId Tenant = new("acme");
    private static readonly string[] Skills = ["billing", "sales", "english", "french"];

    private readonly Dictionary<CallId, WaitingCall> _waiting = [];
    private PoolMatcher _newCall = null!;
    private PoolMatcher _operatorReady = null!;
    private QueueConfig _queue = null!;
    private OperatorSnapshot _freedOperator = null!;
    private DateTimeOffset _now;
    private long _seq;

    [Params(10, 1_000, 10_000)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        _queue = QueueConfig.Create(QueueId.Of(Tenant, "billing")) with
        {
            Requirements = [new SkillRequirement("billing", 3)],
            Relaxation = [new RelaxationStep(3600, [new SkillRequirement("billing", 1)])],
        };
        _now = Start.AddHours(1);
        var rnd = new Random(42);

        // (i) N ready operators, no call: a call arrives.
        _newCall = new PoolMatcher([_queue]);
        for (var i = 0; i < N; i++)
            _newCall.UpsertOperator(Operator(i, rnd, OperatorStatus.Ready));
        _newCall.Match(_now);

        // (ii) N waiting calls, every operator busy: one becomes ready.
        _operatorReady = new PoolMatcher([_queue]);
        for (var i = 0; i < N; i++)
        {
            var call = Call(Start.AddSeconds(rnd.Next(3000)));
            _waiting[call.Id] = call;
            _operatorReady.UpsertCall(call);
        }
        for (var i = 0; i < 50; i++)
            _operatorReady.UpsertOperator(Operator(i, rnd, OperatorStatus.OnCall));
        _freedOperator = Operator(N + 1, rnd, OperatorStatus.Ready) with { Skills = ImmutableDictionary<string, int>.Empty.Add("billing", 9) };
        _operatorReady.Match(_now);
    }

    [Benchmark(Description = "new call, N ready operators")]
    public RoutingDecision NewCallArrives()
    {
        _newCall.UpsertCall(Call(_now));
        var decision = _newCall.Match(_now)[0];
        // The chosen operator's entity refuses or finishes: it is ready again for the next invocation.
        _newCall.UpsertOperator(_newCall.FindOperator(decision.Chosen)! with { Status = OperatorStatus.Ready });
        return decision;
    }

    [Benchmark(Description = "operator ready, N waiting calls")]
    public RoutingDecision OperatorBecomesReady()
    {
        _operatorReady.UpsertOperator(_freedOperator);
        var decision = _operatorReady.Match(_now)[0];
        // The call goes back to its place (as after a refused reservation) for the next invocation.
        _operatorReady.UpsertCall(_waiting[decision.Call]);
        return decision;
    }

    private WaitingCall Call(DateTimeOffset enqueuedAt)
    {
        var seq = ++_seq;
        return new WaitingCall(new CallId($"acme/c{seq}"), _queue.Id, 0, enqueuedAt, seq, []);
    }

    private static OperatorSnapshot Operator(int i, Random rnd, OperatorStatus status) => new(
        new OperatorId($"op{i:D5}"),
        Skills.Where(_ => rnd.Next(2) == 0).Append("billing").Distinct().ToImmutableDictionary(s => s, _ => 3 + rnd.Next(8)),
        1 + rnd.Next(2),
        [Tenant],
        status,
        Start.AddSeconds(rnd.Next(3000)),
        rnd.Next(40),
        TimeSpan.FromSeconds(rnd.Next(10_000)),
        null);
}
