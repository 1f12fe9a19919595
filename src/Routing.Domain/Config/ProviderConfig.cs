using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Routing.Domain.Config;

/// <summary>Everything the provider configures: tenants, their numbers, queues and menus, operators and shared pools.</summary>
public sealed record ProviderConfig(
    ImmutableArray<TenantConfig> Tenants,
    ImmutableArray<OperatorConfig> Operators,
    ImmutableArray<PoolConfig> SharedPools,
    string? AdminKey)
{
    public static readonly ProviderConfig Empty = new([], [], [], null);

    // Look-ups are hot (every entity message reads the configuration): each instance gets its own index,
    // built on first use. Kept outside the record so that `with` copies never carry a stale index.
    private static readonly ConditionalWeakTable<ProviderConfig, Index> Indexes = new();

    private Index Idx => Indexes.GetValue(this, c => new Index(c));

    public TenantConfig? FindTenant(TenantId id) => Idx.Tenants.GetValueOrDefault(id);

    public TenantConfig? FindTenantByNumber(string dialled) => Idx.Numbers.GetValueOrDefault(dialled);

    /// <summary>The trunk (and its tenant) a request from this source address comes from, or null.</summary>
    public (TenantConfig Tenant, TrunkConfig Trunk)? FindTrunk(System.Net.IPAddress source)
    {
        foreach (var t in Tenants)
            foreach (var trunk in t.Trunks)
                if (trunk.Matches(source)) return (t, trunk);
        return null;
    }

    public QueueConfig? FindQueue(QueueId id) => Idx.Queues.GetValueOrDefault(id);

    public OperatorConfig? FindOperator(OperatorId id) => Idx.Operators.GetValueOrDefault(id);

    /// <summary>The pool that routes a tenant's calls: a configured shared pool that lists it, else its own.</summary>
    public PoolId PoolOf(TenantId tenant) =>
        Idx.SharedPoolOf.TryGetValue(tenant, out var pool) ? pool : new PoolId(tenant.Value);

    private sealed class Index
    {
        public readonly Dictionary<TenantId, TenantConfig> Tenants = [];
        public readonly Dictionary<string, TenantConfig> Numbers = [];
        public readonly Dictionary<QueueId, QueueConfig> Queues = [];
        public readonly Dictionary<OperatorId, OperatorConfig> Operators = [];
        public readonly Dictionary<TenantId, PoolId> SharedPoolOf = [];

        public Index(ProviderConfig c)
        {
            // First entry wins, as the linear look-ups did (the validator refuses duplicates anyway).
            foreach (var t in c.Tenants)
            {
                Tenants.TryAdd(t.Id, t);
                foreach (var n in t.Numbers) Numbers.TryAdd(n, t);
            }
            foreach (var t in Tenants.Values)
                foreach (var q in t.Queues)
                    if (q.Id.Tenant == t.Id) Queues.TryAdd(q.Id, q);
            foreach (var o in c.Operators) Operators.TryAdd(o.Id, o);
            foreach (var p in c.SharedPools)
                foreach (var t in p.Tenants) SharedPoolOf.TryAdd(t, p.Id);
        }
    }

    /// <summary>The tenants routed by one pool.</summary>
    public ImmutableArray<TenantId> TenantsOf(PoolId pool)
    {
        var shared = SharedPools.FirstOrDefault(p => p.Id == pool);
        if (shared is not null) return shared.Tenants;
        return Tenants.Any(t => t.Id.Value == pool.Value) && PoolOf(new TenantId(pool.Value)) == pool
            ? [new TenantId(pool.Value)]
            : [];
    }

    /// <summary>The pools an operator must announce itself to: those of the tenants it serves.</summary>
    public ImmutableArray<PoolId> PoolsOfOperator(OperatorConfig op) =>
        [.. op.Tenants.Select(PoolOf).Distinct()];

    public ImmutableArray<QueueConfig> QueuesOf(PoolId pool) =>
        [.. TenantsOf(pool).SelectMany(t => FindTenant(t)?.Queues ?? [])];
}

/// <summary>Tenants that route together: operators serving several of them are matched across their queues.</summary>
public sealed record PoolConfig(PoolId Id, ImmutableArray<TenantId> Tenants);

/// <summary>A client company: its numbers, language, hours, menu and queues.</summary>
public sealed record TenantConfig(
    TenantId Id,
    string Name,
    string Language,
    ImmutableArray<string> Numbers,
    string? ApiKey,
    BusinessHours? Hours,
    ClosedRule Closed,
    MenuNode? Menu,
    string? DefaultQueue,
    ImmutableArray<QueueConfig> Queues)
{
    /// <summary>SIP trunks (e.g. the client company's own PBX) whose calls are this tenant's, known by source address.</summary>
    public ImmutableArray<TrunkConfig> Trunks { get; init; } = [];
}

/// <summary>
/// A SIP peer that delivers this tenant's calls without digest, identified by the address its requests come from
/// (one address, or a network in CIDR form). <paramref name="Queue"/>: its calls go straight to this queue (a PBX
/// overflowing its own callers skips the menu); null: they take the tenant's menu like any caller.
/// </summary>
public sealed record TrunkConfig(string Name, string Address, string? Queue)
{
    /// <summary>The source network (a single address is a /32 or /128).</summary>
    public System.Net.IPNetwork Network =>
        System.Net.IPNetwork.TryParse(Address, out var n) ? n
        : System.Net.IPAddress.TryParse(Address, out var a) ? new System.Net.IPNetwork(a, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : throw new FormatException($"'{Address}' is not an IP address or network");

    public bool Matches(System.Net.IPAddress source) =>
        Network.Contains(source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source);
}

/// <summary>Target share of calls answered within a time, e.g. 80% in 20 s.</summary>
public sealed record ServiceLevelTarget(double Percent, int Seconds)
{
    public static readonly ServiceLevelTarget Default = new(80, 20);
}

/// <summary>A skill an operator must have, at this level (1–10) or better.</summary>
public sealed record SkillRequirement(string Skill, int MinLevel);

/// <summary>After this many seconds of waiting, a call's requirements become these (bullseye rings / queue rules).</summary>
public sealed record RelaxationStep(int AfterSeconds, ImmutableArray<SkillRequirement> Requirements);

/// <summary>How a router chooses among the operators that fit a call.</summary>
public enum RoutingStrategy
{
    LongestIdle,
    RoundRobin,
    FewestCalls,
    LeastTalkTime,
    TopDown,
    BestSkill,
}

/// <summary>A tenant queue: priority, weight across the pool, service-level target, skills, overflow, strategy.</summary>
public sealed record QueueConfig(
    QueueId Id,
    string Name,
    int Priority,
    double Weight,
    ServiceLevelTarget ServiceLevel,
    ImmutableArray<SkillRequirement> Requirements,
    ImmutableArray<RelaxationStep> Relaxation,
    ImmutableArray<int> Tiers,
    ImmutableArray<OverflowRule> Overflow,
    RoutingStrategy Strategy,
    int RingTimeoutSeconds,
    int NoAnswerPauseSeconds,
    int MaxWaiting,
    BusinessHours? Hours,
    ClosedRule? Closed)
{
    public static QueueConfig Create(QueueId id) => new(
        id, id.Name, Priority: 0, Weight: 1.0, ServiceLevelTarget.Default, [], [], [1, 2, 3], [],
        RoutingStrategy.LongestIdle, RingTimeoutSeconds: 20, NoAnswerPauseSeconds: 30, MaxWaiting: 1000, null, null);
}

/// <summary>When a waiting call leaves its queue for somewhere else.</summary>
/// <param name="AfterSeconds">Waiting time that triggers the rule; null with <paramref name="WhenNoOperators"/>.</param>
/// <param name="WhenNoOperators">Trigger at once when no logged-in operator could ever serve the call.</param>
public sealed record OverflowRule(int? AfterSeconds, bool WhenNoOperators, OverflowTarget Target);

/// <summary>Where an overflowing call goes.</summary>
public abstract record OverflowTarget
{
    /// <summary>Another queue, of this tenant or (with a shared pool) of another tenant.</summary>
    public sealed record ToQueue(QueueId Queue) : OverflowTarget;
    /// <summary>Also offer the call to operators of this tier (escalation to 2nd/3rd line).</summary>
    public sealed record ToTier(int Tier) : OverflowTarget;
    /// <summary>Hand the call to an external SIP address (another centre, the client's own PBX).</summary>
    public sealed record ToExternal(string SipUri) : OverflowTarget;
}

/// <summary>What happens to a call outside business hours.</summary>
public abstract record ClosedRule
{
    public sealed record Message(string Text) : ClosedRule;
    public sealed record ToQueue(QueueId Queue) : ClosedRule;
    public sealed record ToExternal(string SipUri) : ClosedRule;
}

/// <summary>An operator: skills with levels 1–10, tier (1st/2nd/3rd line), tenants served, wrap-up time, SIP password.</summary>
public sealed record OperatorConfig(
    OperatorId Id,
    string Name,
    string SipPassword,
    ImmutableDictionary<string, int> Skills,
    int Tier,
    ImmutableArray<TenantId> Tenants,
    int WrapUpSeconds);

/// <summary>A node of a voice menu tree.</summary>
public sealed record MenuNode(
    string Prompt,
    ImmutableDictionary<char, MenuAction> Options,
    int TimeoutSeconds,
    int MaxRetries,
    MenuAction? OnTimeout);

/// <summary>What a menu digit leads to.</summary>
public abstract record MenuAction
{
    public sealed record ToQueue(string Queue) : MenuAction;
    public sealed record SubMenu(MenuNode Menu) : MenuAction;
    /// <summary>An information message (opening hours, address, prices); the caller returns to the menu after it.</summary>
    public sealed record Info(string Text) : MenuAction;
    public sealed record ToExternal(string SipUri) : MenuAction;
    /// <summary>Back to the parent menu.</summary>
    public sealed record Back : MenuAction;
}
