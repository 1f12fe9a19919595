using System.Collections.Immutable;
using Routing.Domain.Config;

namespace Routing.Domain.Routing;

/// <summary>
/// The matching core of one routing pool: waiting calls of all the pool's queues against its logged-in
/// operators. Pure and single-threaded; the router actor, the simulator and the benchmarks all use it.
/// </summary>
/// <remarks>
/// <para><b>Pool order.</b> Calls are served by <see cref="WaitingCall.Priority"/> (higher first), then by
/// weighted waiting time <c>(now - EnqueuedAt) * queue.Weight</c> (longer first), then EnqueuedAt, ArrivalSeq
/// and finally the call id (ordinal) so that the order is total. With equal priorities and weights this is
/// plain FIFO across all queues of the pool.</para>
/// <para><b>Fit.</b> An operator fits a call when it is Ready, its tier is in <c>queue.Tiers ∪ call.ExtraTiers</c>,
/// it serves the call's tenant (<c>call.Queue.Tenant</c>), and it has every required skill at MinLevel or better.
/// The requirements are the queue's, replaced by the relaxation step with the largest AfterSeconds that the
/// call has waited (ties: the later step in the list). A call of a queue missing from the configuration is
/// routed with <see cref="QueueConfig.Create"/>'s defaults rather than stranded.</para>
/// <para><b>Incremental matching.</b> The matcher keeps this invariant between calls to <see cref="Match"/>:
/// for every waiting call and Ready operator that fit each other, the call or the operator is "dirty"
/// (changed since the last Match). So Match only has to pair dirty calls with all ready operators and the
/// other calls with the dirty operators: one new call costs O(ready operators), one newly ready operator
/// O(waiting calls). The result is identical to a full greedy pass over all calls in pool order.</para>
/// </remarks>
public sealed class PoolMatcher
{
    private const int TopCandidateCount = 5;

    private readonly Dictionary<QueueId, QueueInfo> _queues = [];
    private readonly Dictionary<OperatorId, OpEntry> _ops = [];
    private readonly List<OpEntry> _ready = [];
    private readonly HashSet<OpEntry> _dirtyOps = [];
    private readonly Dictionary<CallId, CallEntry> _calls = [];
    private readonly HashSet<CallEntry> _dirtyCalls = [];
    private readonly HashSet<CallEntry> _unscheduled = [];
    private readonly SortedSet<CallEntry> _relaxations = new(RelaxationOrder.Instance);
    private readonly Dictionary<QueueId, OperatorId> _lastGiven = [];
    private readonly Dictionary<string, int> _skillIndex = new(StringComparer.Ordinal);
    private readonly List<string> _skillNames = [];
    private readonly Dictionary<TenantId, int> _tenantIndex = [];
    private readonly List<(CallEntry, OrderKey)> _relevantBuffer = [];
    private readonly PriorityQueue<CallEntry, OrderKey> _heapBuffer = new(OrderKey.Comparer);
    private DateTimeOffset? _clock;
    private long _entrySeq;

    /// <param name="queues">The configuration of every queue of the pool.</param>
    public PoolMatcher(IEnumerable<QueueConfig> queues) => SetQueues(queues);

    /// <summary>Turns a position into an expected wait for <see cref="Estimate"/>.</summary>
    public WaitTimeEstimator Estimator { get; init; } = WaitTimeEstimator.Default;

    /// <summary>Replace the queue configurations (config changed at run time). Every call is re-examined at the next Match.</summary>
    public void SetQueues(IEnumerable<QueueConfig> queues)
    {
        _queues.Clear();
        foreach (var q in queues) _queues[q.Id] = new QueueInfo(q, this);
        foreach (var c in _calls.Values)
        {
            c.Bind(QueueOf(c.Call.Queue));
            Unschedule(c);
            MarkDirty(c);
        }
    }

    /// <summary>Add or replace an operator; status LoggedOut removes it.</summary>
    public void UpsertOperator(OperatorSnapshot op)
    {
        if (op.Status == OperatorStatus.LoggedOut)
        {
            RemoveOperator(op.Id);
            return;
        }
        var fitChanged = true;
        if (_ops.TryGetValue(op.Id, out var e))
        {
            var old = e.Snap;
            fitChanged = old.Status != OperatorStatus.Ready || old.Tier != op.Tier
                || !SameSkills(old.Skills, op.Skills) || !old.Tenants.SequenceEqual(op.Tenants);
            e.Snap = op;
            if (fitChanged) Compile(e);
        }
        else
        {
            e = new OpEntry(op);
            Compile(e);
            _ops.Add(op.Id, e);
        }

        if (op.Status == OperatorStatus.Ready)
        {
            if (e.ReadyIndex < 0)
            {
                e.ReadyIndex = _ready.Count;
                _ready.Add(e);
            }
            if (fitChanged) _dirtyOps.Add(e);
        }
        else
        {
            RemoveFromReady(e);
        }
    }

    public void RemoveOperator(OperatorId id)
    {
        if (!_ops.Remove(id, out var e)) return;
        RemoveFromReady(e);
    }

    /// <summary>Add or replace a waiting call (a replaced call keeps nothing but what the new announcement says).</summary>
    public void UpsertCall(WaitingCall call)
    {
        if (_calls.TryGetValue(call.Id, out var e))
        {
            var old = e.Call;
            e.Call = call;
            if (old.Queue == call.Queue && old.Priority == call.Priority && old.EnqueuedAt == call.EnqueuedAt
                && old.ArrivalSeq == call.ArrivalSeq && old.ExtraTiers.SequenceEqual(call.ExtraTiers))
                return;
            e.Bind(QueueOf(call.Queue));
            Unschedule(e);
        }
        else
        {
            e = new CallEntry(call, ++_entrySeq);
            e.Bind(QueueOf(call.Queue));
            _calls.Add(call.Id, e);
            _unscheduled.Add(e);
        }
        MarkDirty(e);
    }

    public void RemoveCall(CallId id)
    {
        if (!_calls.Remove(id, out var e)) return;
        _dirtyCalls.Remove(e);
        e.Dirty = false;
        Unschedule(e);
        _unscheduled.Remove(e);
    }

    public int WaitingCount => _calls.Count;
    public int ReadyCount => _ready.Count;
    public int LoggedInCount => _ops.Count;

    /// <summary>The waiting calls, in no particular order (see <see cref="InPoolOrder"/>).</summary>
    public IEnumerable<WaitingCall> WaitingCalls => _calls.Values.Select(c => c.Call);

    /// <summary>Every logged-in operator as the matcher sees it (operators it has matched show as Reserved).</summary>
    public IEnumerable<OperatorSnapshot> Operators => _ops.Values.Select(o => o.Snap);

    public WaitingCall? FindCall(CallId id) => _calls.TryGetValue(id, out var c) ? c.Call : null;

    public OperatorSnapshot? FindOperator(OperatorId id) => _ops.TryGetValue(id, out var o) ? o.Snap : null;

    /// <summary>The waiting calls in the order they would be served at <paramref name="now"/>.</summary>
    public IReadOnlyList<WaitingCall> InPoolOrder(DateTimeOffset now) =>
        [.. _calls.Values.OrderBy(c => OrderKey.Of(c, now), OrderKey.Comparer).Select(c => c.Call)];

    /// <summary>
    /// Greedy matching at <paramref name="now"/>: calls in pool order (priority, then weighted waiting time),
    /// each given the best ready operator that fits it under its queue's strategy. A matched call is removed;
    /// a matched operator is kept with status Reserved (so it is not offered again until re-announced).
    /// A call that no ready operator fits is skipped. After a Match that returned fewer than
    /// <paramref name="max"/> decisions, no waiting call fits any Ready operator.
    /// </summary>
    public IReadOnlyList<RoutingDecision> Match(DateTimeOffset now, int max = int.MaxValue)
    {
        AdvanceTo(now);
        if (max <= 0) return [];
        if (_ready.Count == 0 || _calls.Count == 0)
        {
            // Nothing can fit: the invariant holds with everything clean.
            ClearDirtyCalls();
            _dirtyOps.Clear();
            return [];
        }
        if (_dirtyCalls.Count == 0 && _dirtyOps.Count == 0) return [];

        // The calls that can possibly be matched: dirty ones, and clean ones that fit a dirty operator.
        var dirtyOps = _dirtyOps.Count == 0 ? [] : _dirtyOps.ToArray();
        var relevant = _relevantBuffer;
        var dirtyCallsLeft = 0;
        if (dirtyOps.Length == 0)
        {
            foreach (var c in _dirtyCalls) relevant.Add((c, OrderKey.Of(c, now)));
        }
        else
        {
            foreach (var c in _calls.Values)
            {
                if (c.Dirty || FitsAny(c, dirtyOps)) relevant.Add((c, OrderKey.Of(c, now)));
            }
        }
        foreach (var (c, _) in relevant) if (c.Dirty) dirtyCallsLeft++;

        var heap = _heapBuffer;
        heap.EnqueueRange(relevant); // heapifies in O(n): popping only the first few keeps this O(calls)
        relevant.Clear();
        var decisions = new List<RoutingDecision>();
        var truncated = false;
        while (heap.TryDequeue(out var call, out _))
        {
            if (dirtyCallsLeft == 0 && _dirtyOps.Count == 0) break;
            var wasDirty = call.Dirty;
            if (wasDirty) dirtyCallsLeft--;
            // A clean call fits no clean ready operator (the invariant), so only dirty operators can take it.
            var decision = Choose(call, wasDirty, now);
            if (decision is null)
            {
                SetClean(call);
                continue;
            }
            decisions.Add(decision);
            if (decisions.Count >= max)
            {
                truncated = true;
                break;
            }
        }
        heap.Clear();
        // Complete pass: every ready operator has now been tried against every call that could fit it.
        if (!truncated) _dirtyOps.Clear();
        return decisions;
    }

    /// <summary>
    /// True when some logged-in operator (any status but LoggedOut) could ever serve this call: it fits the
    /// call's tier and tenant and the requirements in force at <paramref name="now"/> or those of a later
    /// relaxation step (so a call whose requirements will relax in time is not overflowed at once). Tiers that a
    /// future tier-overflow rule would add are not considered: those rules belong to the queue.
    /// Unknown calls give false.
    /// </summary>
    public bool AnyLoggedInCouldServe(CallId call, DateTimeOffset now)
    {
        if (!_calls.TryGetValue(call, out var c)) return false;
        var q = c.Queue;
        var from = q.StepAt(now - c.Call.EnqueuedAt);
        foreach (var op in _ops.Values)
        {
            if (!c.Tiers.Contains(op.Tier) || !op.Serves(q.TenantIndex)) continue;
            for (var s = from; s < q.Steps.Length; s++)
            {
                if (MeetsSkills(q.RequirementsAt(s), op)) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Position and expected wait of a waiting call; null when the call is unknown.
    /// <para>Position = 1 + the waiting calls ahead of it in pool order at <paramref name="now"/> that compete
    /// for the same operators: every call ahead in the same queue, plus every call ahead in another queue
    /// (ahead means equal or higher priority) for which at least one logged-in operator that fits this call
    /// would also fit it. Calls behind it never count, even if they are matched first because nobody fits
    /// this one.</para>
    /// <para>ServingOperators = logged-in operators of any status that fit this call now (skills, tier, tenant).
    /// ExpectedWait comes from <see cref="Estimator"/>: by default position × AHT / max(1, serving).</para>
    /// </summary>
    public WaitEstimate? Estimate(CallId call, DateTimeOffset now, TimeSpan averageHandleTime)
    {
        if (!_calls.TryGetValue(call, out var me)) return null;
        var myStep = me.Queue.StepAt(now - me.Call.EnqueuedAt);
        var myReqs = me.Queue.RequirementsAt(myStep);
        var serving = new List<OpEntry>();
        foreach (var op in _ops.Values)
        {
            if (FitsIgnoringStatus(me.Tiers, me.Queue.TenantIndex, myReqs, op, me.Call.Only)) serving.Add(op);
        }

        var myKey = OrderKey.Of(me, now);
        var overlap = new Dictionary<(QueueInfo, int, TierSet, OperatorId?), bool>();
        var ahead = 0;
        foreach (var other in _calls.Values)
        {
            if (ReferenceEquals(other, me) || OrderKey.Comparer.Compare(OrderKey.Of(other, now), myKey) >= 0) continue;
            if (other.Call.Queue == me.Call.Queue)
            {
                ahead++;
                continue;
            }
            var step = other.Queue.StepAt(now - other.Call.EnqueuedAt);
            var key = (other.Queue, step, other.Tiers, other.Call.Only);
            if (!overlap.TryGetValue(key, out var shares))
            {
                var reqs = other.Queue.RequirementsAt(step);
                shares = serving.Exists(op => FitsIgnoringStatus(other.Tiers, other.Queue.TenantIndex, reqs, op, other.Call.Only));
                overlap[key] = shares;
            }
            if (shares) ahead++;
        }
        return Estimator.Estimate(ahead + 1, serving.Count, averageHandleTime);
    }

    /// <summary>Earliest future moment when a waiting call's requirements relax (the router re-matches then).</summary>
    public DateTimeOffset? NextRelaxationAt(DateTimeOffset now)
    {
        AdvanceTo(now);
        return _relaxations.Count == 0 ? null : _relaxations.Min!.NextRelaxAt;
    }

    // ---- time and relaxation -------------------------------------------------------------------------

    private void AdvanceTo(DateTimeOffset now)
    {
        if (_clock is { } before && now < before)
        {
            // Time went backwards (a caller's clock, a test): recompute every call's requirements.
            foreach (var c in _calls.Values)
            {
                Unschedule(c);
                _unscheduled.Add(c);
            }
        }
        _clock = now;
        if (_unscheduled.Count > 0)
        {
            foreach (var c in _unscheduled) Schedule(c, now);
            _unscheduled.Clear();
        }
        while (_relaxations.Count > 0 && _relaxations.Min!.NextRelaxAt <= now)
        {
            var c = _relaxations.Min;
            _relaxations.Remove(c);
            Schedule(c, now);
        }
    }

    /// <summary>Sets the call's requirements for <paramref name="now"/> and files its next change.</summary>
    private void Schedule(CallEntry c, DateTimeOffset now)
    {
        var q = c.Queue;
        var step = q.StepAt(now - c.Call.EnqueuedAt);
        if (step != c.Step)
        {
            c.Step = step;
            MarkDirty(c);
        }
        // The next step strictly after now (a step due now is already in force), so AdvanceTo always progresses.
        var next = step + 1;
        while (next < q.Steps.Length && c.Call.EnqueuedAt + q.Steps[next].After <= now) next++;
        c.NextRelaxAt = next < q.Steps.Length ? c.Call.EnqueuedAt + q.Steps[next].After : null;
        if (c.NextRelaxAt is not null) _relaxations.Add(c);
    }

    private void Unschedule(CallEntry c)
    {
        if (c.NextRelaxAt is not null) _relaxations.Remove(c);
        c.NextRelaxAt = null;
        c.Step = CallEntry.UnknownStep;
        _unscheduled.Add(c);
    }

    // ---- dirty bookkeeping ---------------------------------------------------------------------------

    private void MarkDirty(CallEntry c)
    {
        c.Dirty = true;
        _dirtyCalls.Add(c);
    }

    private void SetClean(CallEntry c)
    {
        c.Dirty = false;
        _dirtyCalls.Remove(c);
    }

    private void ClearDirtyCalls()
    {
        foreach (var c in _dirtyCalls) c.Dirty = false;
        _dirtyCalls.Clear();
    }

    private void RemoveFromReady(OpEntry e)
    {
        _dirtyOps.Remove(e);
        var i = e.ReadyIndex;
        if (i < 0) return;
        var last = _ready[^1];
        _ready[i] = last;
        last.ReadyIndex = i;
        _ready.RemoveAt(_ready.Count - 1);
        e.ReadyIndex = -1;
    }

    // ---- fit -------------------------------------------------------------------------------------------

    private bool FitsAny(CallEntry c, OpEntry[] ops)
    {
        var reqs = c.Reqs;
        foreach (var op in ops)
        {
            if (FitsIgnoringStatus(c.Tiers, c.Queue.TenantIndex, reqs, op, c.Call.Only)) return true;
        }
        return false;
    }

    /// <summary>A call transferred to one operator fits that operator only, whatever its tier and skills (the
    /// transferring operator chose them); any other call fits by tier, tenant and skills.</summary>
    private static bool FitsIgnoringStatus(TierSet tiers, int tenant, Req[] reqs, OpEntry op, OperatorId? only) =>
        only is { } o
            ? op.Snap.Id == o && op.Serves(tenant)
            : tiers.Contains(op.Tier) && op.Serves(tenant) && MeetsSkills(reqs, op);

    private static bool MeetsSkills(Req[] reqs, OpEntry op)
    {
        var levels = op.Levels;
        foreach (var r in reqs)
        {
            var level = r.Skill < levels.Length ? levels[r.Skill] : -1;
            if (level < 0 || level < r.MinLevel) return false;
        }
        return true;
    }

    // ---- choosing ------------------------------------------------------------------------------------

    private RoutingDecision? Choose(CallEntry call, bool allReady, DateTimeOffset now)
    {
        var q = call.Queue;
        var top = new TopCandidates(call, new Ranker(q.Config.Strategy, now, q.Scoring[call.Step],
            _lastGiven.TryGetValue(call.Call.Queue, out var last) ? last.Value : null));
        if (allReady)
        {
            foreach (var op in _ready) top.Consider(op);
        }
        else
        {
            foreach (var op in _dirtyOps) top.Consider(op);
        }
        var count = top.Count;
        var topCount = top.Kept;
        var rank = top.Rank;
        if (count == 0) return null;

        var chosen = top.Best[0];
        var candidates = ImmutableArray.CreateBuilder<Candidate>(topCount);
        for (var i = 0; i < topCount; i++)
            candidates.Add(new Candidate(top.Best[i].Snap.Id, rank.Score(top.Best[i], i), rank.Reason(top.Best[i])));

        var stepNumber = call.Step == 0 ? 0 : q.Steps[call.Step].Number;
        var why = rank.Why(chosen, count);
        if (stepNumber > 0) why += $" (requirements relaxed by step {stepNumber} after {q.Steps[call.Step].After.TotalSeconds:0}s of waiting)";
        var decision = new RoutingDecision(call.Call.Id, call.Call.Queue, chosen.Snap.Id, q.Config.Strategy,
            q.RequirementListAt(call.Step), stepNumber, count, candidates.MoveToImmutable(), why, now);

        // Commit: the call leaves, the operator is reserved until its entity says otherwise.
        RemoveCall(call.Call.Id);
        chosen.Snap = chosen.Snap with { Status = OperatorStatus.Reserved, StatusSince = now, LastOfferedAt = now };
        RemoveFromReady(chosen);
        _lastGiven[call.Call.Queue] = chosen.Snap.Id;
        return decision;
    }

    // ---- interning -------------------------------------------------------------------------------------

    private QueueInfo QueueOf(QueueId id)
    {
        if (!_queues.TryGetValue(id, out var q))
        {
            q = new QueueInfo(QueueConfig.Create(id), this);
            _queues[id] = q;
        }
        return q;
    }

    private int SkillIndex(string skill)
    {
        if (!_skillIndex.TryGetValue(skill, out var i))
        {
            i = _skillNames.Count;
            _skillIndex.Add(skill, i);
            _skillNames.Add(skill);
        }
        return i;
    }

    private int TenantIndex(TenantId tenant)
    {
        if (!_tenantIndex.TryGetValue(tenant, out var i))
        {
            i = _tenantIndex.Count;
            _tenantIndex.Add(tenant, i);
        }
        return i;
    }

    private void Compile(OpEntry e)
    {
        var snap = e.Snap;
        var max = -1;
        var pairs = new List<(int, int)>(snap.Skills.Count);
        foreach (var (skill, level) in snap.Skills)
        {
            var i = SkillIndex(skill);
            pairs.Add((i, level));
            max = Math.Max(max, i);
        }
        var levels = new int[max + 1];
        Array.Fill(levels, -1);
        foreach (var (i, level) in pairs) levels[i] = level;
        e.Levels = levels;
        e.Tenants = [.. snap.Tenants.Select(TenantIndex)];
        e.TenantMask = 0;
        foreach (var t in e.Tenants)
        {
            if (t < 64) e.TenantMask |= 1UL << t;
        }
    }

    private static bool SameSkills(ImmutableDictionary<string, int> a, ImmutableDictionary<string, int> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var w) || w != v) return false;
        }
        return true;
    }

    // ---- internal types ------------------------------------------------------------------------------

    private readonly record struct Req(int Skill, int MinLevel);

    /// <summary>One requirement set: the queue's own (index 0) or a relaxation step, sorted by AfterSeconds.</summary>
    private sealed record StepInfo(TimeSpan After, int Number, ImmutableArray<SkillRequirement> List, Req[] Compiled);

    private sealed class QueueInfo
    {
        public QueueInfo(QueueConfig config, PoolMatcher owner)
        {
            Config = config;
            TenantIndex = owner.TenantIndex(config.Id.Tenant);
            Tiers = TierSet.Of(config.Tiers, []);
            var steps = new List<StepInfo> { new(TimeSpan.MinValue, 0, config.Requirements, Compile(config.Requirements, owner)) };
            // Stable sort by AfterSeconds so that among equal delays the later step in the list wins.
            steps.AddRange(config.Relaxation
                .Select((s, i) => (s, i))
                .OrderBy(x => x.s.AfterSeconds)
                .ThenBy(x => x.i)
                .Select(x => new StepInfo(TimeSpan.FromSeconds(x.s.AfterSeconds), x.i + 1, x.s.Requirements, Compile(x.s.Requirements, owner))));
            Steps = [.. steps];
            // TopDown and BestSkill score on the skills in force, or on the queue's own when a step requires none.
            Scoring = [.. Steps.Select(st =>
            {
                var list = st.List.IsDefaultOrEmpty ? config.Requirements : st.List;
                list = list.IsDefault ? [] : list;
                return new ScoreSkills([.. list.Select(r => owner.SkillIndex(r.Skill))], [.. list.Select(r => r.Skill)]);
            })];
        }

        public QueueConfig Config { get; }
        public int TenantIndex { get; }
        public TierSet Tiers { get; }
        public StepInfo[] Steps { get; }
        public ScoreSkills[] Scoring { get; }

        public Req[] RequirementsAt(int step) => Steps[step].Compiled;
        public ImmutableArray<SkillRequirement> RequirementListAt(int step) => Steps[step].List;

        /// <summary>Index into <see cref="Steps"/> of the requirements in force after waiting <paramref name="waited"/>.</summary>
        public int StepAt(TimeSpan waited)
        {
            var s = 0;
            while (s + 1 < Steps.Length && Steps[s + 1].After <= waited) s++;
            return s;
        }

        private static Req[] Compile(ImmutableArray<SkillRequirement> reqs, PoolMatcher owner) =>
            reqs.IsDefaultOrEmpty ? [] : [.. reqs.Select(r => new Req(owner.SkillIndex(r.Skill), r.MinLevel))];
    }

    /// <summary>An operator, with what the hot loop reads copied next to each other.</summary>
    private sealed class OpEntry(OperatorSnapshot snap)
    {
        private OperatorSnapshot _snap = snap;
        public int Tier = snap.Tier;
        public long Since = snap.StatusSince.UtcTicks;
        public int[] Levels = [];
        public ulong TenantMask;
        public int[] Tenants = [];
        public int ReadyIndex = -1;

        public OperatorSnapshot Snap
        {
            get => _snap;
            set
            {
                _snap = value;
                Tier = value.Tier;
                Since = value.StatusSince.UtcTicks;
            }
        }

        public bool Serves(int tenant)
        {
            if (tenant < 64) return (TenantMask & (1UL << tenant)) != 0;
            foreach (var t in Tenants)
            {
                if (t == tenant) return true;
            }
            return false;
        }
    }

    /// <summary>A waiting call, with what ordering and fitting read copied next to each other.</summary>
    private sealed class CallEntry(WaitingCall call, long seq)
    {
        public const int UnknownStep = -1;
        private WaitingCall _call = call;
        private int _step = UnknownStep;
        public readonly long Seq = seq;
        public QueueInfo Queue = null!;
        public TierSet Tiers;
        public double Weight = 1.0;
        public long EnqueuedTicks = call.EnqueuedAt.UtcTicks;
        public Req[] Reqs = [];
        public DateTimeOffset? NextRelaxAt;
        public bool Dirty;

        public WaitingCall Call
        {
            get => _call;
            set
            {
                _call = value;
                EnqueuedTicks = value.EnqueuedAt.UtcTicks;
            }
        }

        /// <summary>Index into the queue's steps of the requirements in force (<see cref="UnknownStep"/> until scheduled).</summary>
        public int Step
        {
            get => _step;
            set
            {
                _step = value;
                Reqs = value == UnknownStep ? [] : Queue.RequirementsAt(value);
            }
        }

        public void Bind(QueueInfo queue)
        {
            Queue = queue;
            Weight = queue.Config.Weight;
            Tiers = TierSet.Of(queue.Config.Tiers, Call.ExtraTiers);
        }
    }

    /// <summary>A small set of tiers: a bit mask for 0–63, a list for anything else.</summary>
    private readonly record struct TierSet(ulong Mask, string Others)
    {
        public static TierSet Of(ImmutableArray<int> a, ImmutableArray<int> b)
        {
            ulong mask = 0;
            var others = new SortedSet<int>();
            foreach (var t in (a.IsDefault ? [] : a).Concat(b.IsDefault ? [] : b))
            {
                if (t is >= 0 and < 64) mask |= 1UL << t;
                else others.Add(t);
            }
            return new TierSet(mask, string.Join(",", others));
        }

        public bool Contains(int tier) => tier is >= 0 and < 64
            ? (Mask & (1UL << tier)) != 0
            : Others.Length > 0 && Others.Split(',').Contains(tier.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private readonly record struct OrderKey(int Priority, double WeightedWait, long EnqueuedTicks, long ArrivalSeq, string Id)
    {
        public static readonly IComparer<OrderKey> Comparer = new KeyComparer();

        public static OrderKey Of(CallEntry c, DateTimeOffset now)
        {
            var call = c.Call;
            var waited = Math.Max(0L, now.UtcTicks - c.EnqueuedTicks);
            return new OrderKey(call.Priority, waited * c.Weight, c.EnqueuedTicks, call.ArrivalSeq, call.Id.Value);
        }

        private sealed class KeyComparer : IComparer<OrderKey>
        {
            public int Compare(OrderKey x, OrderKey y)
            {
                var c = y.Priority.CompareTo(x.Priority);
                if (c != 0) return c;
                c = y.WeightedWait.CompareTo(x.WeightedWait);
                if (c != 0) return c;
                c = x.EnqueuedTicks.CompareTo(y.EnqueuedTicks);
                if (c != 0) return c;
                c = x.ArrivalSeq.CompareTo(y.ArrivalSeq);
                return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
            }
        }
    }

    private sealed class RelaxationOrder : IComparer<CallEntry>
    {
        public static readonly RelaxationOrder Instance = new();

        public int Compare(CallEntry? x, CallEntry? y)
        {
            var c = Nullable.Compare(x!.NextRelaxAt, y!.NextRelaxAt);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }

    private sealed record ScoreSkills(int[] Indices, string[] Names);

    /// <summary>Counts the operators that fit a call and keeps the best few, best first.</summary>
    private sealed class TopCandidates(CallEntry call, Ranker rank)
    {
        private readonly Req[] _reqs = call.Reqs;
        private readonly TierSet _tiers = call.Tiers;
        private readonly int _tenant = call.Queue.TenantIndex;
        private readonly OperatorId? _only = call.Call.Only;

        public readonly OpEntry[] Best = new OpEntry[TopCandidateCount];
        public readonly Ranker Rank = rank;
        public int Kept;
        public int Count;

        public void Consider(OpEntry op)
        {
            if (!FitsIgnoringStatus(_tiers, _tenant, _reqs, op, _only)) return;
            Count++;
            if (Kept == Best.Length && Rank.Compare(op, Best[^1]) >= 0) return;
            var at = Kept < Best.Length ? Kept++ : Best.Length - 1;
            while (at > 0 && Rank.Compare(op, Best[at - 1]) < 0)
            {
                Best[at] = Best[at - 1];
                at--;
            }
            Best[at] = op;
        }
    }

    /// <summary>A strategy's order over fitting operators (negative: better), its scores and its explanations.</summary>
    private readonly struct Ranker(RoutingStrategy strategy, DateTimeOffset now, ScoreSkills skills, string? lastGiven)
    {
        public int Compare(OpEntry a, OpEntry b)
        {
            int c;
            switch (strategy)
            {
                case RoutingStrategy.RoundRobin:
                    c = RotationGroup(a).CompareTo(RotationGroup(b));
                    break;
                case RoutingStrategy.FewestCalls:
                    c = a.Snap.CallsHandled.CompareTo(b.Snap.CallsHandled);
                    if (c == 0) c = a.Since.CompareTo(b.Since);
                    break;
                case RoutingStrategy.LeastTalkTime:
                    c = a.Snap.TalkTime.CompareTo(b.Snap.TalkTime);
                    if (c == 0) c = a.Since.CompareTo(b.Since);
                    break;
                case RoutingStrategy.TopDown:
                    c = a.Tier.CompareTo(b.Tier);
                    if (c == 0) c = LevelSum(b).CompareTo(LevelSum(a));
                    break;
                case RoutingStrategy.BestSkill:
                    c = LevelSum(b).CompareTo(LevelSum(a));
                    if (c == 0) c = a.Since.CompareTo(b.Since);
                    break;
                default: // LongestIdle: the earliest StatusSince has been ready the longest
                    c = a.Since.CompareTo(b.Since);
                    break;
            }
            return c != 0 ? c : string.CompareOrdinal(a.Snap.Id.Value, b.Snap.Id.Value);
        }

        /// <summary>The strategy's main figure, higher is better (round-robin: minus the rank in the rotation).</summary>
        public double Score(OpEntry op, int rank) => strategy switch
        {
            RoutingStrategy.RoundRobin => -rank,
            RoutingStrategy.FewestCalls => -op.Snap.CallsHandled,
            RoutingStrategy.LeastTalkTime => -op.Snap.TalkTime.TotalSeconds,
            RoutingStrategy.TopDown => -1000.0 * op.Snap.Tier + LevelSum(op),
            RoutingStrategy.BestSkill => LevelSum(op),
            _ => IdleSeconds(op),
        };

        public string Reason(OpEntry op) => strategy switch
        {
            RoutingStrategy.RoundRobin => lastGiven is null ? "first in rotation"
                : RotationGroup(op) == 0 ? $"after {lastGiven} in rotation" : $"rotation wraps round past {lastGiven}",
            RoutingStrategy.FewestCalls => $"{op.Snap.CallsHandled} calls, idle {IdleSeconds(op):0}s",
            RoutingStrategy.LeastTalkTime => $"talk {op.Snap.TalkTime.TotalSeconds:0}s, idle {IdleSeconds(op):0}s",
            RoutingStrategy.TopDown => $"tier {op.Snap.Tier}, {LevelText(op)}",
            RoutingStrategy.BestSkill => $"{LevelText(op)}, idle {IdleSeconds(op):0}s",
            _ => $"idle {IdleSeconds(op):0}s",
        };

        public string Why(OpEntry op, int count)
        {
            var id = op.Snap.Id.Value;
            var of = $"of {count} fitting operator{(count == 1 ? "" : "s")}";
            return strategy switch
            {
                RoutingStrategy.RoundRobin => lastGiven is null
                    ? $"round-robin: {id} is first in this queue's rotation, {of}"
                    : $"round-robin: {id} comes next after {lastGiven} in this queue's rotation, {of}",
                RoutingStrategy.FewestCalls => $"fewest-calls: {id} handled {op.Snap.CallsHandled} calls, fewest {of}",
                RoutingStrategy.LeastTalkTime => $"least-talk-time: {id} talked {op.Snap.TalkTime.TotalSeconds:0}s, least {of}",
                RoutingStrategy.TopDown => $"top-down: {id} is tier {op.Snap.Tier} with {LevelText(op)}, first {of}",
                RoutingStrategy.BestSkill => $"best-skill: {id} has {LevelText(op)}, best {of}",
                _ => $"longest-idle: {id} idle {IdleSeconds(op):0}s, longest {of}",
            };
        }

        private double IdleSeconds(OpEntry op) => Math.Max(0, Math.Floor((now - op.Snap.StatusSince).TotalSeconds));

        /// <summary>0: after the last operator this queue was given (by id), 1: wrapped round to the start.</summary>
        private int RotationGroup(OpEntry op) =>
            lastGiven is null || string.CompareOrdinal(op.Snap.Id.Value, lastGiven) > 0 ? 0 : 1;

        private int LevelSum(OpEntry op)
        {
            var sum = 0;
            foreach (var s in skills.Indices) sum += Level(op, s);
            return sum;
        }

        private static int Level(OpEntry op, int skill) => skill < op.Levels.Length ? Math.Max(0, op.Levels[skill]) : 0;

        private string LevelText(OpEntry op)
        {
            var ix = skills.Indices;
            return ix.Length switch
            {
                0 => "no skills to compare",
                1 => $"level {Level(op, ix[0])} in {skills.Names[0]}",
                _ => $"levels {string.Join("+", ix.Select(i => Level(op, i)))} in {string.Join("+", skills.Names)}",
            };
        }
    }
}
