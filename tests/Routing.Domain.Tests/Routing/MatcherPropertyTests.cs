using System.Collections.Immutable;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Routing.Domain.Config;
using Routing.Domain.Routing;
using Xunit.Sdk;

namespace Routing.Domain.Tests.Routing;

/// <summary>
/// Random interleavings of call arrivals and departures, operator state changes, time and matching, checked
/// against the matching invariants and against a naive from-scratch greedy matcher written from the spec.
/// The matcher under test is incremental (it only looks at what changed), so the oracle is what catches a
/// forgotten "dirty" mark.
/// </summary>
public class MatcherPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] SkillNames = ["a", "b", "c"];
    private static readonly TenantId Acme = new("acme");
    private static readonly TenantId Globex = new("globex");

    private enum Kind { AddCall, RemoveCall, Ready, Busy, LogOut, Advance, Match, Query, Reannounce }

    private static readonly Gen<Kind> GenKind = Gen.Frequency(
        (5, Gen.Const(Kind.AddCall)),
        (2, Gen.Const(Kind.RemoveCall)),
        (5, Gen.Const(Kind.Ready)),
        (2, Gen.Const(Kind.Busy)),
        (1, Gen.Const(Kind.LogOut)),
        (3, Gen.Const(Kind.Advance)),
        (4, Gen.Const(Kind.Match)),
        (2, Gen.Const(Kind.Query)),
        (2, Gen.Const(Kind.Reannounce)));

    private static readonly Gen<(Kind Kind, int X, int Y)> GenStep = Gen.Select(GenKind, Gen.Int[0, 999], Gen.Int[0, 999]);

    private static readonly Gen<(int Seed, (Kind Kind, int X, int Y)[] Steps)> GenScenario = Gen.Select(Gen.Int, GenStep.Array[1, 120]);

    [Fact]
    public void Random_interleavings_keep_one_call_per_operator_maximal_matching_and_pool_order()
    {
        GenScenario.Sample(s => new Scenario(s.Seed).Run(s.Steps), iter: 400, threads: 1,
            print: s => $"seed {s.Seed}: {string.Join(", ", s.Steps.Select(x => $"{x.Kind}({x.X},{x.Y})"))}");
    }

    [Fact]
    public void The_oracle_agrees_on_a_busy_day_with_many_calls_and_operators()
    {
        // Longer and larger than the shrinkable runs: many relaxations, escalations and re-announcements.
        var r = new Random(7);
        for (var run = 0; run < 5; run++)
        {
            var steps = Enumerable.Range(0, 1500).Select(_ => ((Kind)r.Next(Enum.GetValues<Kind>().Length), r.Next(1000), r.Next(1000))).ToArray();
            new Scenario(r.Next(), operatorCount: 15).Run(steps);
        }
    }

    private sealed class Scenario
    {
        private readonly Random _rnd;
        private readonly FakeTimeProvider _clock = new(T0);
        private readonly Dictionary<QueueId, QueueConfig> _queues;
        private readonly List<OperatorSnapshot> _profiles;
        private readonly PoolMatcher _m;

        // The model: what the test announced, and what it expects the matcher to know.
        private readonly Dictionary<CallId, WaitingCall> _waiting = [];
        private readonly Dictionary<OperatorId, OperatorSnapshot> _announced = [];
        private readonly HashSet<OperatorId> _available = []; // announced Ready and not matched since
        private readonly Dictionary<QueueId, OperatorId> _lastGiven = [];
        private readonly HashSet<CallId> _everMatched = [];
        private long _seq;
        private int _step;

        public Scenario(int seed, int operatorCount = 7)
        {
            _rnd = new Random(seed);
            _queues = MakeQueues().ToDictionary(q => q.Id);
            _profiles = [.. Enumerable.Range(1, operatorCount).Select(i => MakeOperator($"op{i}"))];
            _m = new PoolMatcher(_queues.Values);
        }

        private DateTimeOffset Now => _clock.GetUtcNow();

        public void Run((Kind Kind, int X, int Y)[] steps)
        {
            foreach (var (kind, x, y) in steps)
            {
                _step++;
                Do(kind, x, y);
                Check(_m.WaitingCount == _waiting.Count, $"waiting count {_m.WaitingCount}, expected {_waiting.Count}");
                Check(_m.ReadyCount == _available.Count, $"ready count {_m.ReadyCount}, expected {_available.Count}");
                Check(_m.LoggedInCount == _announced.Count, $"logged-in count {_m.LoggedInCount}, expected {_announced.Count}");
            }
            _step++;
            MatchAndCheck(int.MaxValue);
        }

        private void Do(Kind kind, int x, int y)
        {
            switch (kind)
            {
                case Kind.AddCall:
                {
                    var q = _queues.Values.OrderBy(q => q.Id.Value, StringComparer.Ordinal).ElementAt(x % _queues.Count);
                    var seq = ++_seq;
                    var call = new WaitingCall(new CallId($"{q.Id.Tenant}/c{seq}"), q.Id,
                        q.Priority + (y % 7 == 0 ? 1 : 0),
                        Now.AddSeconds(-(y % 4)), // a caller keeps its first-queued time across transfers
                        seq,
                        y % 5 == 0 ? [1 + x % 3] : []);
                    _waiting[call.Id] = call;
                    _m.UpsertCall(call);
                    break;
                }
                case Kind.RemoveCall when _waiting.Count > 0:
                {
                    var id = PickCall(x);
                    _waiting.Remove(id);
                    _m.RemoveCall(id);
                    break;
                }
                case Kind.Ready:
                {
                    var i = x % _profiles.Count;
                    if (y % 9 == 0) // skills change at run time now and then
                        _profiles[i] = _profiles[i] with { Skills = _profiles[i].Skills.SetItem(SkillNames[y % 3], 1 + y % 8) };
                    var op = _profiles[i] with
                    {
                        Status = OperatorStatus.Ready,
                        StatusSince = Now.AddSeconds(-(y % 3)),
                        CallsHandled = y % 4,
                        TalkTime = TimeSpan.FromSeconds(60 * (y / 4 % 3)),
                    };
                    Announce(op);
                    break;
                }
                case Kind.Busy:
                {
                    var status = (y % 3) switch { 0 => OperatorStatus.NotReady, 1 => OperatorStatus.OnCall, _ => OperatorStatus.WrapUp };
                    Announce(_profiles[x % _profiles.Count] with { Status = status, StatusSince = Now });
                    break;
                }
                case Kind.LogOut:
                {
                    var id = _profiles[x % _profiles.Count].Id;
                    _announced.Remove(id);
                    _available.Remove(id);
                    if (y % 2 == 0) _m.UpsertOperator(_profiles[x % _profiles.Count] with { Status = OperatorStatus.LoggedOut });
                    else _m.RemoveOperator(id);
                    break;
                }
                case Kind.Advance:
                    _clock.Advance(TimeSpan.FromSeconds(1 + x % 25));
                    break;
                case Kind.Match:
                    MatchAndCheck(y % 5 == 0 ? 1 + x % 2 : int.MaxValue);
                    break;
                case Kind.Query:
                    Query(x, y);
                    break;
                case Kind.Reannounce:
                    Reannounce(x, y);
                    break;
            }
        }

        private void Announce(OperatorSnapshot op)
        {
            _announced[op.Id] = op;
            if (op.Status == OperatorStatus.Ready) _available.Add(op.Id);
            else _available.Remove(op.Id);
            _m.UpsertOperator(op);
        }

        private CallId PickCall(int x) => _waiting.Keys.OrderBy(k => k.Value, StringComparer.Ordinal).ElementAt(x % _waiting.Count);

        private void Reannounce(int x, int y)
        {
            switch (y % 3)
            {
                case 0 when _waiting.Count > 0: // tier escalation, or the same announcement again
                {
                    var c = _waiting[PickCall(x)];
                    if (y % 2 == 0) c = c with { ExtraTiers = c.ExtraTiers.Contains(1 + x % 3) ? c.ExtraTiers : c.ExtraTiers.Add(1 + x % 3) };
                    _waiting[c.Id] = c;
                    _m.UpsertCall(c);
                    break;
                }
                case 1: // configuration change
                {
                    var q = _queues.Values.OrderBy(q => q.Id.Value, StringComparer.Ordinal).ElementAt(x % _queues.Count);
                    _queues[q.Id] = (x % 3) switch
                    {
                        0 => q with { Strategy = (RoutingStrategy)((int)(q.Strategy + 1) % 6) },
                        1 => q with { Requirements = RandomRequirements() },
                        _ => q with { Tiers = q.Tiers.Contains(2) ? [1] : [1, 2] },
                    };
                    _m.SetQueues(_queues.Values);
                    break;
                }
                default: // an operator re-announces the same state
                    if (_announced.Count > 0)
                    {
                        var op = _announced.Values.OrderBy(o => o.Id.Value, StringComparer.Ordinal).ElementAt(x % _announced.Count);
                        // A reserved operator re-announces Ready from its own entity: it is available again.
                        Announce(_available.Contains(op.Id) || op.Status != OperatorStatus.Ready ? op : op with { StatusSince = Now });
                    }
                    break;
            }
        }

        private void Query(int x, int y)
        {
            var now = Now;
            if (y % 3 == 0)
            {
                var expected = _waiting.Values
                    .SelectMany(c => Queue(c).Relaxation.Select(s => c.EnqueuedAt.AddSeconds(s.AfterSeconds)))
                    .Where(t => t > now)
                    .Select(t => (DateTimeOffset?)t)
                    .Min();
                var actual = _m.NextRelaxationAt(now);
                Check(actual == expected, $"NextRelaxationAt {actual}, expected {expected}");
                return;
            }
            if (_waiting.Count == 0) return;
            var call = _waiting[PickCall(x)];
            if (y % 3 == 1)
            {
                var waited = now - call.EnqueuedAt;
                var sets = new[] { Requirements(call, now).Reqs }
                    .Concat(Queue(call).Relaxation.Where(s => TimeSpan.FromSeconds(s.AfterSeconds) > waited).Select(s => s.Requirements));
                var expected = _announced.Values.Any(o => sets.Any(reqs => FitsWith(call, reqs, o)));
                Check(_m.AnyLoggedInCouldServe(call.Id, now) == expected, $"AnyLoggedInCouldServe({call.Id}) should be {expected}");
            }
            else
            {
                var serving = _announced.Values.Where(o => Fits(call, o, now)).ToList();
                var ahead = _waiting.Values.Count(a => a.Id != call.Id && Ahead(a, call, now)
                    && (a.Queue == call.Queue || serving.Any(o => Fits(a, o, now))));
                var e = _m.Estimate(call.Id, now, TimeSpan.FromSeconds(120));
                var wait = TimeSpan.FromSeconds(120.0 * (ahead + 1) / Math.Max(1, serving.Count));
                Check(e is not null && e.Position == ahead + 1 && e.ServingOperators == serving.Count && (e.ExpectedWait - wait).Duration() < TimeSpan.FromMilliseconds(1),
                    $"Estimate({call.Id}) = {e}, expected position {ahead + 1}, {serving.Count} serving, wait {wait}");
            }
        }

        private void MatchAndCheck(int max)
        {
            var now = Now;
            var before = new Dictionary<CallId, WaitingCall>(_waiting);
            var expected = Oracle(now, max);
            var decisions = _m.Match(now, max);

            // (a) one call per operator, one operator per call.
            var usedNow = new HashSet<OperatorId>();
            foreach (var d in decisions)
            {
                Check(!_everMatched.Contains(d.Call), $"call {d.Call} matched twice");
                Check(_waiting.ContainsKey(d.Call), $"call {d.Call} was not waiting");
                Check(_available.Contains(d.Chosen), $"operator {d.Chosen} was not announced Ready since its last decision");
                Check(usedNow.Add(d.Chosen), $"operator {d.Chosen} got two calls in one match");
                Check(Fits(_waiting[d.Call], _announced[d.Chosen], now), $"operator {d.Chosen} does not fit {d.Call}");
                _everMatched.Add(d.Call);
                _waiting.Remove(d.Call);
                _available.Remove(d.Chosen);
                _lastGiven[d.Queue] = d.Chosen;
            }
            Check(decisions.Count <= max, "more decisions than allowed");

            // (b) maximal: after a complete Match no waiting call fits a Ready operator.
            if (decisions.Count < max)
            {
                foreach (var c in _waiting.Values)
                foreach (var o in _available)
                    Check(!Fits(c, _announced[o], now), $"{c.Id} left waiting although Ready {o} fits it");
            }

            // (c) order: no call chosen over an earlier one that its operator would also fit.
            var matchedSoFar = new HashSet<CallId>();
            foreach (var d in decisions)
            {
                var later = before[d.Call];
                var op = _announced[d.Chosen];
                foreach (var earlier in before.Values)
                {
                    if (earlier.Id == later.Id || matchedSoFar.Contains(earlier.Id) || !Ahead(earlier, later, now)) continue;
                    Check(!Fits(earlier, op, now), $"{later.Id} got {op.Id} although {earlier.Id} is ahead of it and {op.Id} fits it too");
                }
                matchedSoFar.Add(d.Call);
            }

            // (d) the same decisions as a naive greedy pass from scratch, with the same explanations' figures.
            var actual = decisions.Select(d => (d.Call, d.Chosen, d.CandidateCount, d.RelaxationStep)).ToList();
            Check(actual.SequenceEqual(expected), $"decisions [{string.Join("; ", actual)}], oracle [{string.Join("; ", expected)}]");
            foreach (var d in decisions)
                Check(d.TopCandidates.Length == Math.Min(5, d.CandidateCount) && d.TopCandidates[0].Operator == d.Chosen, $"top candidates of {d.Call}");
        }

        // ---- the oracle: the spec, written the obvious way ----------------------------------------------

        private List<(CallId, OperatorId, int, int)> Oracle(DateTimeOffset now, int max)
        {
            var result = new List<(CallId, OperatorId, int, int)>();
            var avail = _available.Select(id => _announced[id]).ToList();
            var lastGiven = new Dictionary<QueueId, OperatorId>(_lastGiven);
            var order = _waiting.Values.ToList();
            order.Sort((a, b) => Ahead(a, b, now) ? -1 : Ahead(b, a, now) ? 1 : 0);
            foreach (var call in order)
            {
                if (result.Count >= max) break;
                var q = Queue(call);
                var (reqs, step) = Requirements(call, now);
                var fitting = avail.Where(o => FitsWith(call, reqs, o)).ToList();
                if (fitting.Count == 0) continue;
                var scoreSkills = (reqs.IsEmpty ? q.Requirements : reqs).Select(r => r.Skill).ToList();
                int Sum(OperatorSnapshot o) => scoreSkills.Sum(s => Math.Max(0, o.Skills.GetValueOrDefault(s, 0)));
                var last = lastGiven.TryGetValue(q.Id, out var l) ? l.Value : null;
                var byId = StringComparer.Ordinal;
                var best = q.Strategy switch
                {
                    RoutingStrategy.RoundRobin => fitting.OrderBy(o => last is not null && string.CompareOrdinal(o.Id.Value, last) <= 0 ? 1 : 0).ThenBy(o => o.Id.Value, byId),
                    RoutingStrategy.FewestCalls => fitting.OrderBy(o => o.CallsHandled).ThenBy(o => o.StatusSince).ThenBy(o => o.Id.Value, byId),
                    RoutingStrategy.LeastTalkTime => fitting.OrderBy(o => o.TalkTime).ThenBy(o => o.StatusSince).ThenBy(o => o.Id.Value, byId),
                    RoutingStrategy.TopDown => fitting.OrderBy(o => o.Tier).ThenByDescending(Sum).ThenBy(o => o.Id.Value, byId),
                    RoutingStrategy.BestSkill => fitting.OrderByDescending(Sum).ThenBy(o => o.StatusSince).ThenBy(o => o.Id.Value, byId),
                    _ => fitting.OrderBy(o => o.StatusSince).ThenBy(o => o.Id.Value, byId),
                };
                var chosen = best.First();
                avail.Remove(chosen);
                lastGiven[q.Id] = chosen.Id;
                result.Add((call.Id, chosen.Id, fitting.Count, step));
            }
            return result;
        }

        private QueueConfig Queue(WaitingCall c) => _queues.TryGetValue(c.Queue, out var q) ? q : QueueConfig.Create(c.Queue);

        /// <summary>The queue's requirements, replaced by the last relaxation step (by delay) the call has waited for.</summary>
        private (ImmutableArray<SkillRequirement> Reqs, int Step) Requirements(WaitingCall c, DateTimeOffset now)
        {
            var q = Queue(c);
            var due = q.Relaxation
                .Select((s, i) => (Step: s, Number: i + 1))
                .Where(x => c.EnqueuedAt.AddSeconds(x.Step.AfterSeconds) <= now)
                .OrderBy(x => x.Step.AfterSeconds).ThenBy(x => x.Number)
                .LastOrDefault();
            return due.Step is null ? (q.Requirements, 0) : (due.Step.Requirements, due.Number);
        }

        private bool Fits(WaitingCall c, OperatorSnapshot o, DateTimeOffset now) => FitsWith(c, Requirements(c, now).Reqs, o);

        private bool FitsWith(WaitingCall c, ImmutableArray<SkillRequirement> reqs, OperatorSnapshot o) =>
            (Queue(c).Tiers.Contains(o.Tier) || c.ExtraTiers.Contains(o.Tier))
            && o.Tenants.Contains(c.Queue.Tenant)
            && reqs.All(r => o.Skills.TryGetValue(r.Skill, out var level) && level >= r.MinLevel);

        /// <summary>True when <paramref name="a"/> is served before <paramref name="b"/> in pool order.</summary>
        private bool Ahead(WaitingCall a, WaitingCall b, DateTimeOffset now)
        {
            if (a.Priority != b.Priority) return a.Priority > b.Priority;
            double Weighted(WaitingCall c) => Math.Max(0L, (now - c.EnqueuedAt).Ticks) * Queue(c).Weight;
            var (wa, wb) = (Weighted(a), Weighted(b));
            if (wa != wb) return wa > wb;
            if (a.EnqueuedAt != b.EnqueuedAt) return a.EnqueuedAt < b.EnqueuedAt;
            if (a.ArrivalSeq != b.ArrivalSeq) return a.ArrivalSeq < b.ArrivalSeq;
            return string.CompareOrdinal(a.Id.Value, b.Id.Value) < 0;
        }

        // ---- random configuration -----------------------------------------------------------------------

        private IEnumerable<QueueConfig> MakeQueues()
        {
            foreach (var (tenant, name) in new[] { (Acme, "q0"), (Acme, "q1"), (Globex, "q2"), (Acme, "q3") })
            {
                int[] tiers = [.. new[] { 1, 2, 3 }.Where(t => t == 1 ? _rnd.Next(5) > 0 : _rnd.Next(3) == 0)];
                yield return QueueConfig.Create(QueueId.Of(tenant, name)) with
                {
                    Priority = _rnd.Next(3) == 0 ? 1 : 0,
                    Weight = new[] { 1.0, 1.0, 1.0, 2.0, 0.5 }[_rnd.Next(5)],
                    Requirements = RandomRequirements(),
                    Relaxation = [.. Enumerable.Range(0, _rnd.Next(3)).Select(_ => new RelaxationStep(new[] { 0, 5, 10, 20, 40 }[_rnd.Next(5)], RandomRequirements()))],
                    Tiers = tiers.Length == 0 ? [2] : [.. tiers],
                    Strategy = (RoutingStrategy)_rnd.Next(6),
                };
            }
        }

        private ImmutableArray<SkillRequirement> RandomRequirements() =>
            [.. SkillNames.Where(_ => _rnd.Next(100) < 35).Select(s => new SkillRequirement(s, 1 + _rnd.Next(6)))];

        private OperatorSnapshot MakeOperator(string id)
        {
            var tenants = _rnd.Next(10) switch { < 5 => new[] { Acme }, < 7 => [Globex], _ => [Acme, Globex] };
            return new OperatorSnapshot(new OperatorId(id),
                SkillNames.Where(_ => _rnd.Next(100) < 60).ToImmutableDictionary(s => s, _ => 1 + _rnd.Next(8)),
                1 + _rnd.Next(3), [.. tenants], OperatorStatus.LoggedOut, T0, 0, TimeSpan.Zero, null);
        }

        private void Check(bool condition, string message)
        {
            if (!condition) throw new XunitException($"step {_step} at +{(Now - T0).TotalSeconds}s: {message}");
        }
    }
}
