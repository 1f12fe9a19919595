using System.Collections.Immutable;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Domain.Tests.Routing;

/// <summary>Small builders that keep the matcher tests readable.</summary>
internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
    public static readonly TenantId Acme = new("acme");
    public static readonly TenantId Globex = new("globex");

    public static ImmutableArray<SkillRequirement> Needs(params (string Skill, int Level)[] skills) =>
        [.. skills.Select(s => new SkillRequirement(s.Skill, s.Level))];

    public static QueueConfig Queue(string name, TenantId? tenant = null, RoutingStrategy strategy = RoutingStrategy.LongestIdle,
        int priority = 0, double weight = 1.0, ImmutableArray<SkillRequirement>? needs = null, int[]? tiers = null,
        params RelaxationStep[] relax) =>
        QueueConfig.Create(QueueId.Of(tenant ?? Acme, name)) with
        {
            Strategy = strategy,
            Priority = priority,
            Weight = weight,
            Requirements = needs ?? [],
            Tiers = tiers is null ? [1, 2, 3] : [.. tiers],
            Relaxation = [.. relax],
        };

    public static RelaxationStep After(int seconds, params (string Skill, int Level)[] skills) => new(seconds, Needs(skills));

    public static OperatorSnapshot Op(string id, DateTimeOffset readySince, (string Skill, int Level)[]? skills = null, int tier = 1,
        TenantId[]? tenants = null, OperatorStatus status = OperatorStatus.Ready, int calls = 0, TimeSpan talk = default) =>
        new(new OperatorId(id),
            (skills ?? []).ToImmutableDictionary(s => s.Skill, s => s.Level),
            tier,
            [.. tenants ?? [Acme]],
            status,
            readySince,
            calls,
            talk,
            null);

    public static WaitingCall Call(string id, QueueConfig queue, DateTimeOffset enqueuedAt, long seq = 0, int? priority = null, int[]? extraTiers = null) =>
        new(new CallId($"{queue.Id.Tenant}/{id}"), queue.Id, priority ?? queue.Priority, enqueuedAt, seq, [.. extraTiers ?? []]);

    public static PoolMatcher Matcher(params QueueConfig[] queues) => new(queues);

    public static PoolMatcher With(this PoolMatcher m, params OperatorSnapshot[] ops)
    {
        foreach (var op in ops) m.UpsertOperator(op);
        return m;
    }

    public static PoolMatcher With(this PoolMatcher m, params WaitingCall[] calls)
    {
        foreach (var c in calls) m.UpsertCall(c);
        return m;
    }

    /// <summary>The single decision of a Match, failing if there is not exactly one.</summary>
    public static RoutingDecision One(this IReadOnlyList<RoutingDecision> decisions) => Assert.Single(decisions);

    public static string Chosen(this RoutingDecision d) => d.Chosen.Value;

    public static DateTimeOffset S(this DateTimeOffset t, double seconds) => t.AddSeconds(seconds);
}
