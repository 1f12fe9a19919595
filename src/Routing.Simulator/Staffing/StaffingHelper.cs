using System.Collections.Immutable;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Simulator.Analysis;
using Routing.Simulator.Engine;
using Routing.Simulator.Scenario;

namespace Routing.Simulator.Staffing;

/// <summary>The staffing advice for one queue in one interval.</summary>
/// <param name="ErlangC">Fewest operators by Erlang C (no abandonment): the first guess.</param>
/// <param name="ErlangAAbandonPercent">Erlang A's abandonment at the simulated staffing (exponential patience only).</param>
/// <param name="Simulated">Fewest operators whose simulated service level meets the target; null when no calls.</param>
/// <param name="ServiceLevelPercent">Simulated service level with <paramref name="Simulated"/> operators.</param>
/// <param name="Scheduled">Operators able to take the queue that the scenario has logged in (average over the interval).</param>
public sealed record StaffingAdvice(QueueId Queue, int Interval, double CallsPerHour, double HandleSeconds, ServiceLevelTarget Target,
    int ErlangC, int? Simulated, double? ServiceLevelPercent, double? AbandonPercent, double? ErlangAAbandonPercent, double Scheduled);

/// <summary>
/// Finds the fewest operators per interval that meet a queue's service-level target. The first guess is Erlang C;
/// the answer comes from the simulator itself: the queue alone, at the interval's arrival rate held steady, with its
/// real routing configuration, its talk and patience distributions, and operators like the first scenario operator
/// able to take it (dedicated to it). Staffing is stepped down from the guess while the target is met, up while it is not,
/// with the same random numbers for every candidate (common random numbers), so the search compares like with like.
/// </summary>
public sealed class StaffingHelper(SimScenario scenario)
{
    private readonly Dictionary<(QueueId, double, int), (double? Sl, double? Abandon)> _cache = [];

    public IReadOnlyList<StaffingAdvice> Advise(SimulationResult? baseline = null, IProgress<double>? progress = null)
    {
        var settings = scenario.Staffing ?? new StaffingSettings([], null, 5);
        var queues = settings.Queues.IsDefaultOrEmpty ? [.. scenario.Traffic.Select(t => t.Queue)] : settings.Queues;
        var advice = new List<StaffingAdvice>();
        var total = queues.Length * scenario.IntervalCount;
        var done = 0;
        foreach (var queue in queues)
        {
            var traffic = scenario.Traffic.FirstOrDefault(t => t.Queue == queue);
            var config = scenario.Config.FindQueue(queue)!;
            var target = settings.Target ?? config.ServiceLevel;
            var template = Template(config);
            var handle = (traffic?.Talk.Mean ?? 0) + template.WrapUpSeconds;
            var qi = baseline?.Queues.IndexOf(queue) ?? -1;
            for (var i = 0; i < scenario.IntervalCount; i++)
            {
                var rate = traffic is null ? 0 : RateIn(traffic.Arrivals, i);
                var guess = ErlangC.ServersFor(rate, handle, target.Percent / 100, target.Seconds);
                int? best = null;
                double? sl = null, abandon = null, erlangA = null;
                if (rate > 0 && traffic is not null)
                {
                    (best, sl, abandon) = Search(traffic, template, rate, guess, target, settings.Replications);
                    if (traffic.Patience is Distribution.Exponential p && best > 0)
                        erlangA = 100 * ErlangA.Compute(best.Value, rate, handle, p.MeanSeconds).ProbabilityOfAbandoning;
                }
                var scheduled = qi >= 0 ? baseline!.Cells[qi, i].StaffedSeconds / scenario.IntervalSeconds : 0;
                advice.Add(new StaffingAdvice(queue, i, rate * 3600, handle, target, guess, best, sl, abandon, erlangA, scheduled));
                progress?.Report(++done / (double)total);
            }
        }
        return advice;
    }

    /// <summary>Calls per second in interval <paramref name="i"/> of the scenario.</summary>
    private double RateIn(ArrivalProcess arrivals, int i) => arrivals switch
    {
        ArrivalProcess.Poisson p => p.RateAt((int)Math.Floor(i * scenario.IntervalSeconds / p.IntervalSeconds + 1e-9)),
        ArrivalProcess.Recorded r => r.Calls.Count(c => c.At >= i * scenario.IntervalSeconds && c.At < (i + 1) * scenario.IntervalSeconds) / scenario.IntervalSeconds,
        _ => 0,
    };

    private (int? Best, double? Sl, double? Abandon) Search(QueueTraffic traffic, OperatorConfig template, double rate, int guess, ServiceLevelTarget target, int reps)
    {
        bool Meets(double? sl) => sl is null || sl >= target.Percent;
        var n = Math.Max(1, guess);
        var (sl, ab) = Evaluate(traffic, template, rate, n, reps);
        if (Meets(sl))
        {
            while (n > 1)
            {
                var (lower, lowerAb) = Evaluate(traffic, template, rate, n - 1, reps);
                if (!Meets(lower)) break;
                (n, sl, ab) = (n - 1, lower, lowerAb);
            }
            return (n, sl, ab);
        }
        for (var k = 0; k < 1000 && !Meets(sl); k++)
        {
            n++;
            (sl, ab) = Evaluate(traffic, template, rate, n, reps);
        }
        return (n, sl, ab);
    }

    /// <summary>Simulated service level and abandonment of the queue alone with <paramref name="n"/> dedicated operators at a steady rate.</summary>
    internal (double? Sl, double? Abandon) Evaluate(QueueTraffic traffic, OperatorConfig template, double rate, int n, int reps)
    {
        if (_cache.TryGetValue((traffic.Queue, rate, n), out var hit)) return hit;
        // Long enough for a few hundred calls per replication, after a warm-up of a few handle times.
        var handle = traffic.Talk.Mean + template.WrapUpSeconds;
        var warmup = 10 * handle;
        var length = Math.Max(scenario.IntervalSeconds, 400 / rate);
        var operators = Enumerable.Range(1, n)
            .Select(k => new SimOperator(template with { Id = new OperatorId($"staff-{k:D4}"), Name = $"staff-{k}" }, [new Shift(0, warmup + length + 3600)]))
            .ToImmutableArray();
        var steady = scenario with
        {
            Traffic = [traffic with { Arrivals = new ArrivalProcess.Poisson([rate], warmup + length) }],
            Operators = operators,
            DurationSeconds = warmup + length,
            IntervalSeconds = warmup + length,
            WarmupSeconds = warmup,
            DrainSeconds = 3600,
            Config = scenario.Config with { Operators = [.. operators.Select(o => o.Config)] },
        };
        var figures = Routing.Domain.Queues.QueueFigures.Empty(scenario.Config.FindQueue(traffic.Queue)!.ServiceLevel.Seconds);
        for (var r = 0; r < reps; r++)
        {
            var result = Simulation.Run(steady, scenario.Seed + (ulong)r * 7919, recordCalls: false);
            figures = figures.Add(result.Total(traffic.Queue).Figures);
        }
        var value = (figures.ServiceLevelPercent, figures.AbandonRatePercent);
        _cache[(traffic.Queue, rate, n)] = value;
        return value;
    }

    /// <summary>The operator to staff with: the first of the scenario who can take the queue's calls, else one made to fit.</summary>
    private OperatorConfig Template(QueueConfig queue)
    {
        foreach (var op in scenario.Operators)
        {
            var c = op.Config;
            if (c.Tenants.Contains(queue.Id.Tenant) && queue.Tiers.Contains(c.Tier)
                && queue.Requirements.All(r => c.Skills.TryGetValue(r.Skill, out var l) && l >= r.MinLevel))
                return c;
        }
        return new OperatorConfig(new OperatorId("staff"), "staff", "simulated",
            queue.Requirements.ToImmutableDictionary(r => r.Skill, r => r.MinLevel, StringComparer.Ordinal),
            queue.Tiers.IsDefaultOrEmpty ? 1 : queue.Tiers[0], [queue.Id.Tenant], 0);
    }
}
