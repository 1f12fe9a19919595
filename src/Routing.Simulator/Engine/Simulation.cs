using System.Collections.Immutable;
using System.Diagnostics;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Domain.Queues;
using Routing.Domain.Routing;
using Routing.Simulator.Scenario;

namespace Routing.Simulator.Engine;

/// <summary>
/// Discrete-event simulation of a contact-centre day in virtual time. Routing is the cluster's own
/// <see cref="PoolMatcher"/> (one per routing pool), fed the same announcements the router actor gets: operators as
/// <see cref="OperatorSnapshot"/>s, waiting calls as <see cref="WaitingCall"/>s; <see cref="PoolMatcher.Match"/> runs
/// after every event that can create a match (arrival, operator freed or logged in, escalation, relaxation time).
/// </summary>
/// <remarks>
/// Simplifications, all documented in docs/simulator.md: operators answer at once (no ring time, no no-answer);
/// business hours and the menu are not simulated (calls arrive in their queue); a <c>whenNoOperators</c> overflow
/// rule is checked when the call joins the queue only. Single-threaded and deterministic for a given seed.
/// </remarks>
public sealed class Simulation
{
    private enum Kind : byte { Arrival, Abandon, Overflow, TalkEnd, WrapEnd, ShiftStart, ShiftEnd, Relax, Sample }

    private readonly record struct Event(Kind Kind, int A, int B, int C);

    private readonly record struct Key(double At, long Seq) : IComparable<Key>
    {
        public int CompareTo(Key other)
        {
            var c = At.CompareTo(other.At);
            return c != 0 ? c : Seq.CompareTo(other.Seq);
        }
    }

    private sealed class PoolSim(PoolMatcher matcher)
    {
        public readonly PoolMatcher Matcher = matcher;
        public double RelaxAt = double.NegativeInfinity;
    }

    private sealed class QueueSim
    {
        public required int Index;
        public required QueueId Id;
        public required QueueConfig Config;
        public required int Pool;
        public QueueTraffic? Traffic;
        public Rng ArrivalRng = null!, TalkRng = null!, PatienceRng = null!;
        public int NextRecorded;
        public QueueFigures Live = QueueFigures.Empty();
        public AbandonmentRateEstimate Abandonment = AbandonmentRateEstimate.None;
        public readonly DelayHistoryPredictor History = new();
        public int Waiting;
    }

    private sealed class CallSim
    {
        public required int Index;
        public required CallId Id;
        public required int FirstQueue;
        public required int Queue;
        public required double Arrival;
        public required double Talk;
        public required double Patience;
        public required int Interval;
        public required bool Counted;
        public WaitingCall Waiting = null!;
        public CallOutcome Outcome;
        public double JoinedAt;
        public int Generation;
        public int Hops;
        public double Wait;
        public int Operator = -1;
        public int? Position;
        public double? Announced, QlAbandon, Hol, Les;
    }

    private sealed class OpSim
    {
        public required int Index;
        public required OperatorConfig Config;
        public required OperatorSnapshot Snap;
        public required int[] Pools;
        public required int[] Eligible;
        public required ImmutableArray<Shift> Shifts;
        public bool LoggedIn, Busy, LeaveAfterCall;
        public double SegmentStart;
        public int Call = -1;
    }

    private readonly SimScenario _s;
    private readonly ulong _seed;
    private readonly bool _recordCalls;
    private readonly PriorityQueue<Event, Key> _events = new();
    private readonly List<PoolSim> _pools = [];
    private readonly List<QueueSim> _queues = [];
    private readonly Dictionary<QueueId, QueueSim> _queueById = [];
    private readonly List<OpSim> _ops = [];
    private readonly Dictionary<OperatorId, OpSim> _opById = [];
    private readonly List<CallSim> _calls = [];
    private readonly Dictionary<CallId, CallSim> _waiting = [];
    private readonly List<(double, int[])> _samples = [];
    private readonly IntervalCell[,] _cells;
    private readonly IntervalCell[] _centre;
    private readonly double _end;
    private long _seq;
    private long _arrivalSeq;
    private long _eventCount;
    private double _now;

    private Simulation(SimScenario scenario, ulong seed, bool recordCalls)
    {
        _s = scenario;
        _seed = seed;
        _recordCalls = recordCalls;
        _end = scenario.DurationSeconds + scenario.DrainSeconds;
        var config = scenario.Config;

        var poolIndex = new Dictionary<PoolId, int>();
        foreach (var tenant in config.Tenants)
        {
            var pool = config.PoolOf(tenant.Id);
            if (!poolIndex.TryGetValue(pool, out var p))
            {
                p = _pools.Count;
                poolIndex[pool] = p;
                _pools.Add(new PoolSim(new PoolMatcher(config.QueuesOf(pool))));
            }
            foreach (var q in tenant.Queues)
            {
                var qs = new QueueSim { Index = _queues.Count, Id = q.Id, Config = q, Pool = p };
                qs.Live = QueueFigures.Empty(q.ServiceLevel.Seconds);
                _queues.Add(qs);
                _queueById[q.Id] = qs;
            }
        }
        foreach (var t in scenario.Traffic)
        {
            var q = _queueById[t.Queue];
            q.Traffic = t;
            q.ArrivalRng = Rng.Stream(seed, "arrivals " + t.Queue.Value);
            q.TalkRng = Rng.Stream(seed, "talk " + t.Queue.Value);
            q.PatienceRng = Rng.Stream(seed, "patience " + t.Queue.Value);
        }

        var intervals = scenario.IntervalCount;
        _cells = new IntervalCell[_queues.Count, intervals];
        for (var q = 0; q < _queues.Count; q++)
            for (var i = 0; i < intervals; i++) _cells[q, i] = new IntervalCell(_queues[q].Config.ServiceLevel.Seconds);
        _centre = new IntervalCell[intervals];
        for (var i = 0; i < intervals; i++) _centre[i] = new IntervalCell(20);

        foreach (var so in scenario.Operators)
        {
            var c = so.Config;
            var pools = config.PoolsOfOperator(c).Where(poolIndex.ContainsKey).Select(p => poolIndex[p]).ToArray();
            var op = new OpSim
            {
                Index = _ops.Count,
                Config = c,
                Snap = new OperatorSnapshot(c.Id, c.Skills, c.Tier, c.Tenants, OperatorStatus.LoggedOut, scenario.Start, 0, TimeSpan.Zero, null),
                Pools = pools,
                Eligible = [.. _queues.Where(q => CanEverServe(c, q.Config)).Select(q => q.Index)],
                Shifts = so.Shifts,
            };
            _ops.Add(op);
            _opById[c.Id] = op;
        }
    }

    /// <summary>Runs one replication of <paramref name="scenario"/> with <paramref name="seed"/>.</summary>
    /// <param name="progress">Receives the fraction of the simulated day done, now and then.</param>
    /// <param name="recordCalls">Keep one <see cref="CallRecord"/> per call (needed for predictor figures).</param>
    public static SimulationResult Run(SimScenario scenario, ulong seed, IProgress<double>? progress = null, bool recordCalls = true) =>
        new Simulation(scenario, seed, recordCalls).Execute(progress);

    private SimulationResult Execute(IProgress<double>? progress)
    {
        var watch = Stopwatch.StartNew();
        foreach (var q in _queues)
            if (q.Traffic is not null) ScheduleNextArrival(q, 0);
        foreach (var op in _ops)
            for (var i = 0; i < op.Shifts.Length; i++)
            {
                Push(op.Shifts[i].From, Kind.ShiftStart, op.Index, i);
                Push(op.Shifts[i].To, Kind.ShiftEnd, op.Index, i);
            }
        Push(0, Kind.Sample, 0);

        var nextReport = _s.DurationSeconds / 100;
        while (_events.TryDequeue(out var ev, out var key))
        {
            if (key.At > _end) break;
            _now = key.At;
            _eventCount++;
            switch (ev.Kind)
            {
                case Kind.Arrival: OnArrival(_queues[ev.A], ev.B); break;
                case Kind.Abandon: OnAbandon(_calls[ev.A]); break;
                case Kind.Overflow: OnOverflow(_calls[ev.A], ev.B, ev.C); break;
                case Kind.TalkEnd: OnTalkEnd(_ops[ev.A]); break;
                case Kind.WrapEnd: FinishCall(_ops[ev.A]); break;
                case Kind.ShiftStart: OnShiftStart(_ops[ev.A]); break;
                case Kind.ShiftEnd: OnShiftEnd(_ops[ev.A]); break;
                case Kind.Relax: MatchPool(ev.A); break;
                case Kind.Sample: OnSample(ev.A); break;
            }
            if (progress is not null && _now >= nextReport)
            {
                progress.Report(Math.Min(1, _now / _s.DurationSeconds));
                nextReport = _now + _s.DurationSeconds / 100;
            }
        }
        var stop = Math.Min(_end, Math.Max(_now, _s.DurationSeconds));
        foreach (var op in _ops) Account(op, stop);
        foreach (var c in _waiting.Values)
        {
            c.Outcome = CallOutcome.Unfinished;
            c.Wait = stop - c.Arrival;
            if (c.Counted) _cells[c.Queue, c.Interval].Unfinished++;
        }
        for (var i = 0; i < _centre.Length; i++)
            for (var q = 0; q < _queues.Count; q++) _centre[i].AddFrom(_cells[q, i], includeStaffing: false);
        progress?.Report(1);

        return new SimulationResult
        {
            Scenario = _s,
            Seed = _seed,
            Queues = [.. _queues.Select(q => q.Id)],
            Cells = _cells,
            Centre = _centre,
            Calls = _recordCalls ? [.. _calls.Select(Record)] : [],
            Samples = _samples,
            Events = _eventCount,
            CallsSimulated = _calls.Count,
            WallTime = watch.Elapsed,
            EndSeconds = stop,
        };
    }

    private CallRecord Record(CallSim c) => new(c.Index, _queues[c.FirstQueue].Id, _queues[c.Queue].Id, c.Arrival, c.Wait, c.Talk, c.Outcome,
        c.Operator >= 0 ? _ops[c.Operator].Config.Id : null, c.Counted, c.Position, c.Announced, c.QlAbandon, c.Hol, c.Les);

    // ---- events ------------------------------------------------------------------------------------

    private void Push(double at, Kind kind, int a, int b = 0, int c = 0) => _events.Enqueue(new Event(kind, a, b, c), new Key(at, ++_seq));

    private DateTimeOffset Clock(double seconds) => _s.Start.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    private int IntervalOf(double t) => Math.Clamp((int)Math.Floor(t / _s.IntervalSeconds), 0, _centre.Length - 1);

    private void ScheduleNextArrival(QueueSim q, double from)
    {
        switch (q.Traffic!.Arrivals)
        {
            case ArrivalProcess.Poisson p:
                // Piecewise-constant rate: draw with the current interval's rate; past the interval's end, the memoryless
                // property lets us restart the draw at the boundary with the next rate.
                var t = from;
                while (t < _s.DurationSeconds)
                {
                    var interval = (int)Math.Floor(t / p.IntervalSeconds + 1e-12);
                    var boundary = Math.Min(_s.DurationSeconds, (interval + 1) * p.IntervalSeconds);
                    var rate = p.RateAt(interval);
                    if (rate > 0)
                    {
                        var next = t + q.ArrivalRng.Exponential(1 / rate);
                        if (next < boundary)
                        {
                            Push(next, Kind.Arrival, q.Index, -1);
                            return;
                        }
                    }
                    t = boundary;
                }
                return;
            case ArrivalProcess.Recorded r:
                while (q.NextRecorded < r.Calls.Length && r.Calls[q.NextRecorded].At >= _s.DurationSeconds) q.NextRecorded = r.Calls.Length;
                if (q.NextRecorded < r.Calls.Length)
                {
                    Push(r.Calls[q.NextRecorded].At, Kind.Arrival, q.Index, q.NextRecorded);
                    q.NextRecorded++;
                }
                return;
        }
    }

    private void OnArrival(QueueSim q, int recorded)
    {
        var traffic = q.Traffic!;
        // Draw both figures for every call, in the same order, so that scenarios differing in other respects see the same callers.
        var talk = traffic.Talk.Sample(q.TalkRng);
        var patience = traffic.Patience?.Sample(q.PatienceRng) ?? double.PositiveInfinity;
        if (recorded >= 0 && traffic.Arrivals is ArrivalProcess.Recorded r)
        {
            talk = r.Calls[recorded].TalkSeconds ?? talk;
            patience = r.Calls[recorded].PatienceSeconds ?? patience;
        }
        ScheduleNextArrival(q, _now);

        var call = new CallSim
        {
            Index = _calls.Count,
            Id = new CallId($"{q.Id.Tenant.Value}/c{_calls.Count}"),
            FirstQueue = q.Index,
            Queue = q.Index,
            Arrival = _now,
            Talk = talk,
            Patience = patience,
            Interval = IntervalOf(_now),
            Counted = _now >= _s.WarmupSeconds,
        };
        _calls.Add(call);
        if (double.IsFinite(patience)) Push(_now + patience, Kind.Abandon, call.Index);
        Enqueue(call, q, announce: true);
    }

    private void Enqueue(CallSim call, QueueSim q, bool announce)
    {
        call.Queue = q.Index;
        call.JoinedAt = _now;
        call.Generation++;
        call.Outcome = CallOutcome.Waiting;
        if (call.Counted) Cell(call).Figures = Cell(call).Figures.CountOffered();
        call.Waiting = new WaitingCall(call.Id, q.Id, q.Config.Priority, Clock(call.Arrival), ++_arrivalSeq, []);
        var headOfLine = q.History.HeadOfLine(Clock(_now));
        q.History.Enqueued(call.Id, Clock(_now));
        q.Waiting++;
        _waiting[call.Id] = call;
        var pool = _pools[q.Pool];
        pool.Matcher.UpsertCall(call.Waiting);
        for (var i = 0; i < q.Config.Overflow.Length; i++)
            if (q.Config.Overflow[i].AfterSeconds is { } after) Push(_now + after, Kind.Overflow, call.Index, i, call.Generation);
        MatchPool(q.Pool);
        if (call.Outcome != CallOutcome.Waiting) return;

        if (announce)
        {
            // What the gateway would tell this caller now, and what the alternative predictors would have said.
            var aht = q.Live.EstimatedHandleTime;
            if (pool.Matcher.Estimate(call.Id, Clock(_now), aht) is { } estimate)
            {
                call.Position = estimate.Position;
                call.Announced = estimate.ExpectedWait.TotalSeconds;
                call.QlAbandon = QueueLengthWaitEstimator.Predict(estimate.Position, estimate.ServingOperators, aht, q.Abandonment.RatePerSecond).TotalSeconds;
            }
            call.Hol = headOfLine.TotalSeconds;
            call.Les = q.History.LastToEnterService.TotalSeconds;
        }

        for (var i = 0; i < q.Config.Overflow.Length; i++)
        {
            var rule = q.Config.Overflow[i];
            if (!rule.WhenNoOperators || rule.AfterSeconds is not null) continue;
            if (!pool.Matcher.AnyLoggedInCouldServe(call.Id, Clock(_now))) Overflow(call, rule);
            break;
        }
    }

    private void MatchPool(int p)
    {
        var pool = _pools[p];
        var now = Clock(_now);
        var decisions = pool.Matcher.Match(now);
        for (var i = 0; i < decisions.Count; i++)
        {
            var d = decisions[i];
            StartService(_waiting[d.Call], _opById[d.Chosen], p);
        }
        if (pool.Matcher.NextRelaxationAt(now) is { } next)
        {
            var at = (next - _s.Start).Ticks / (double)TimeSpan.TicksPerSecond + 1e-6;
            if (at < pool.RelaxAt || pool.RelaxAt <= _now)
            {
                pool.RelaxAt = at;
                Push(at, Kind.Relax, p);
            }
        }
    }

    private void StartService(CallSim call, OpSim op, int pool)
    {
        var q = _queues[call.Queue];
        LeaveQueue(call, q);
        call.Outcome = CallOutcome.Answered;
        call.Operator = op.Index;
        call.Wait = _now - call.Arrival;
        q.History.Answered(call.Id, Clock(_now));
        q.Abandonment = q.Abandonment.Add(TimeSpan.FromSeconds(_now - call.JoinedAt), abandoned: false);
        if (call.Counted)
        {
            var cell = Cell(call);
            cell.Figures = cell.Figures.CountAnswered(TimeSpan.FromSeconds(call.Wait));
            cell.MaxWait = Math.Max(cell.MaxWait, call.Wait);
            cell.Waits.Add(call.Wait);
        }
        Account(op, _now);
        op.Busy = true;
        op.Call = call.Index;
        SetStatus(op, OperatorStatus.OnCall, pool);
        Push(_now + call.Talk, Kind.TalkEnd, op.Index);
    }

    private void OnTalkEnd(OpSim op)
    {
        if (op.Config.WrapUpSeconds > 0)
        {
            SetStatus(op, OperatorStatus.WrapUp);
            Push(_now + op.Config.WrapUpSeconds, Kind.WrapEnd, op.Index);
        }
        else FinishCall(op);
    }

    private void FinishCall(OpSim op)
    {
        var call = _calls[op.Call];
        var handle = TimeSpan.FromSeconds(call.Talk + op.Config.WrapUpSeconds);
        var q = _queues[call.Queue];
        q.Live = q.Live.CountHandled(handle);
        if (call.Counted) Cell(call).Figures = Cell(call).Figures.CountHandled(handle);
        Account(op, _now);
        op.Busy = false;
        op.Call = -1;
        op.Snap = op.Snap with { CallsHandled = op.Snap.CallsHandled + 1, TalkTime = op.Snap.TalkTime + TimeSpan.FromSeconds(call.Talk) };
        if (op.LeaveAfterCall)
        {
            LogOut(op);
            return;
        }
        SetStatus(op, OperatorStatus.Ready);
        foreach (var p in op.Pools) MatchPool(p);
    }

    private void OnAbandon(CallSim call)
    {
        if (call.Outcome != CallOutcome.Waiting) return;
        var q = _queues[call.Queue];
        LeaveQueue(call, q);
        call.Outcome = CallOutcome.Abandoned;
        call.Wait = _now - call.Arrival;
        q.History.Left(call.Id);
        q.Abandonment = q.Abandonment.Add(TimeSpan.FromSeconds(_now - call.JoinedAt), abandoned: true);
        if (call.Counted)
        {
            var cell = Cell(call);
            cell.Figures = cell.Figures.CountAbandoned(TimeSpan.FromSeconds(call.Wait));
            cell.MaxWait = Math.Max(cell.MaxWait, call.Wait);
        }
    }

    private void OnOverflow(CallSim call, int rule, int generation)
    {
        if (call.Outcome != CallOutcome.Waiting || call.Generation != generation) return;
        Overflow(call, _queues[call.Queue].Config.Overflow[rule]);
    }

    private void Overflow(CallSim call, OverflowRule rule)
    {
        var q = _queues[call.Queue];
        var pool = _pools[q.Pool];
        switch (rule.Target)
        {
            case OverflowTarget.ToTier tier:
                // Escalation: the call keeps its place and is also offered to this tier.
                if (call.Waiting.ExtraTiers.Contains(tier.Tier)) return;
                call.Waiting = call.Waiting with { ExtraTiers = call.Waiting.ExtraTiers.Add(tier.Tier) };
                pool.Matcher.UpsertCall(call.Waiting);
                MatchPool(q.Pool);
                return;
            case OverflowTarget.ToQueue target when _queueById.TryGetValue(target.Queue, out var to) && call.Hops < 10:
                LeaveQueue(call, q);
                q.History.Left(call.Id);
                if (call.Counted) Cell(call).Figures = Cell(call).Figures.CountOverflowed();
                call.Hops++;
                Enqueue(call, to, announce: false);
                return;
            default:
                LeaveQueue(call, q);
                q.History.Left(call.Id);
                call.Outcome = CallOutcome.Overflowed;
                call.Wait = _now - call.Arrival;
                if (call.Counted) Cell(call).Figures = Cell(call).Figures.CountOverflowed();
                return;
        }
    }

    private void LeaveQueue(CallSim call, QueueSim q)
    {
        if (_waiting.Remove(call.Id)) q.Waiting--;
        _pools[q.Pool].Matcher.RemoveCall(call.Id);
    }

    private void OnShiftStart(OpSim op)
    {
        op.LeaveAfterCall = false;
        if (op.LoggedIn) return;
        Account(op, _now);
        op.LoggedIn = true;
        SetStatus(op, OperatorStatus.Ready);
        foreach (var p in op.Pools) MatchPool(p);
    }

    private void OnShiftEnd(OpSim op)
    {
        if (!op.LoggedIn) return;
        // A later shift that starts exactly now keeps the operator logged in.
        foreach (var s in op.Shifts)
            if (s.From <= _now && s.To > _now) return;
        if (op.Busy) op.LeaveAfterCall = true;
        else LogOut(op);
    }

    private void LogOut(OpSim op)
    {
        Account(op, _now);
        op.LoggedIn = false;
        op.LeaveAfterCall = false;
        op.Snap = op.Snap with { Status = OperatorStatus.LoggedOut, StatusSince = Clock(_now) };
        foreach (var p in op.Pools) _pools[p].Matcher.RemoveOperator(op.Config.Id);
    }

    /// <summary>
    /// Tells the matchers of the operator's pools its new status. The pool that matched it already holds it as Reserved,
    /// and a non-ready operator is not matched whatever its status, so only the changes that matter to matching are
    /// announced (to Ready, and away from Ready in the other pools): the decisions are those of announcing every change,
    /// at half the cost.
    /// </summary>
    private void SetStatus(OpSim op, OperatorStatus status, int matchedIn = -1)
    {
        var wasReady = op.Snap.Status == OperatorStatus.Ready;
        op.Snap = op.Snap with { Status = status, StatusSince = Clock(_now) };
        if (status != OperatorStatus.Ready && !wasReady) return;
        foreach (var p in op.Pools)
            if (p != matchedIn) _pools[p].Matcher.UpsertOperator(op.Snap);
    }

    private void OnSample(int k)
    {
        var lengths = new int[_queues.Count];
        var interval = IntervalOf(_now);
        for (var q = 0; q < _queues.Count; q++)
        {
            var n = _queues[q].Waiting;
            lengths[q] = n;
            if (_now >= _s.WarmupSeconds && _now < _s.DurationSeconds)
            {
                var cell = _cells[q, interval];
                cell.QueueLengthSum += n;
                cell.QueueLengthSamples++;
                cell.QueueLengthMax = Math.Max(cell.QueueLengthMax, n);
            }
        }
        _samples.Add((_now, lengths));
        var next = (k + 1) * _s.SampleSeconds;
        if (next <= _s.DurationSeconds) Push(next, Kind.Sample, k + 1);
    }

    // ---- accounting ----------------------------------------------------------------------------------

    private IntervalCell Cell(CallSim call) => _cells[call.Queue, call.Interval];

    /// <summary>Books the operator's time since its last change (logged in, busy) to the intervals it spans.</summary>
    private void Account(OpSim op, double now)
    {
        var from = Math.Max(op.SegmentStart, _s.WarmupSeconds);
        var to = Math.Min(now, _s.DurationSeconds);
        op.SegmentStart = now;
        if (!op.LoggedIn || to <= from) return;
        var width = _s.IntervalSeconds;
        for (var i = IntervalOf(from); i < _centre.Length && i * width < to; i++)
        {
            var overlap = Math.Min(to, (i + 1) * width) - Math.Max(from, i * width);
            if (overlap <= 0) continue;
            var busy = op.Busy ? overlap : 0;
            _centre[i].StaffedSeconds += overlap;
            _centre[i].BusySeconds += busy;
            foreach (var q in op.Eligible)
            {
                _cells[q, i].StaffedSeconds += overlap;
                _cells[q, i].BusySeconds += busy;
            }
        }
    }

    /// <summary>Whether an operator could take some call of the queue: tenant, a tier the queue uses (or escalates to), and
    /// the skills of the queue's own requirements or of one of its relaxation steps.</summary>
    private static bool CanEverServe(OperatorConfig op, QueueConfig q)
    {
        if (!op.Tenants.Contains(q.Id.Tenant)) return false;
        var tiers = q.Tiers.Concat(q.Overflow.Select(r => r.Target).OfType<OverflowTarget.ToTier>().Select(t => t.Tier));
        if (!tiers.Contains(op.Tier)) return false;
        bool Meets(ImmutableArray<SkillRequirement> reqs) =>
            reqs.IsDefaultOrEmpty || reqs.All(r => op.Skills.TryGetValue(r.Skill, out var level) && level >= r.MinLevel);
        return Meets(q.Requirements) || q.Relaxation.Any(s => Meets(s.Requirements));
    }
}
