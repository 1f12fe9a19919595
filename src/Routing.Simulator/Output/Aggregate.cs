using System.Collections.Immutable;
using Routing.Domain;
using Routing.Simulator.Analysis;
using Routing.Simulator.Engine;

namespace Routing.Simulator.Output;

/// <summary>Several replications of one scenario pooled together (sums of counts and times), plus the spread between them.</summary>
public sealed class Aggregate
{
    public Aggregate(IReadOnlyList<SimulationResult> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs", nameof(runs));
        Runs = runs;
        var first = runs[0];
        Queues = first.Queues;
        Intervals = first.IntervalCount;
        Cells = new IntervalCell[Queues.Length, Intervals];
        Centre = new IntervalCell[Intervals];
        for (var i = 0; i < Intervals; i++)
        {
            Centre[i] = new IntervalCell(20);
            for (var q = 0; q < Queues.Length; q++)
            {
                Cells[q, i] = new IntervalCell(first.Cells[q, i].Figures.ServiceLevelSeconds);
                foreach (var r in runs) Cells[q, i].AddFrom(r.Cells[q, i], includeStaffing: true);
            }
            foreach (var r in runs)
            {
                Centre[i].AddFrom(r.Centre[i], includeStaffing: true);
            }
        }
    }

    public IReadOnlyList<SimulationResult> Runs { get; }
    public ImmutableArray<QueueId> Queues { get; }
    public int Intervals { get; }
    public IntervalCell[,] Cells { get; }
    public IntervalCell[] Centre { get; }

    public IntervalCell QueueTotal(int q)
    {
        var total = new IntervalCell(Cells[q, 0].Figures.ServiceLevelSeconds);
        for (var i = 0; i < Intervals; i++) total.AddFrom(Cells[q, i], includeStaffing: true);
        return total;
    }

    public IntervalCell CentreTotal()
    {
        var total = new IntervalCell(20);
        for (var i = 0; i < Intervals; i++) total.AddFrom(Centre[i], includeStaffing: true);
        return total;
    }

    /// <summary>A figure of each replication (e.g. a queue's service level), as a mean with its confidence interval.</summary>
    public Estimate Spread(Func<SimulationResult, double?> figure, double confidence = 0.95) =>
        Estimate.Of([.. Runs.Select(figure).OfType<double>()], confidence);

    /// <summary>Nearest-rank percentile of a list of values; null when empty.</summary>
    public static double? Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>How well one wait predictor did: over the callers who waited and were answered.</summary>
/// <param name="Bias">Mean of (predicted − actual), seconds: positive = announced too long.</param>
/// <param name="RelativeRmse">Root mean squared error divided by the mean actual wait.</param>
public sealed record PredictorScore(string Name, int Calls, double MeanActual, double MeanPredicted, double Bias, double Rmse, double RelativeRmse)
{
    public static IReadOnlyList<PredictorScore> Of(IEnumerable<CallRecord> calls)
    {
        var scored = calls.Where(c => c.Counted && c.Outcome == CallOutcome.Answered && c.Announced is not null).ToList();
        return
        [
            Score("announced (PoolMatcher.Estimate)", scored, c => c.Announced!.Value),
            Score("queue length + abandonment (QL-m)", scored, c => c.QueueLengthAbandon!.Value),
            Score("head of line (HOL)", scored, c => c.HeadOfLine!.Value),
            Score("last to enter service (LES)", scored, c => c.LastToEnterService!.Value),
        ];
    }

    private static PredictorScore Score(string name, List<CallRecord> calls, Func<CallRecord, double> predicted)
    {
        if (calls.Count == 0) return new PredictorScore(name, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double sumActual = 0, sumPredicted = 0, sumError = 0, sumSquared = 0;
        foreach (var c in calls)
        {
            var p = predicted(c);
            var e = p - c.WaitSeconds;
            sumActual += c.WaitSeconds;
            sumPredicted += p;
            sumError += e;
            sumSquared += e * e;
        }
        var n = calls.Count;
        var rmse = Math.Sqrt(sumSquared / n);
        var meanActual = sumActual / n;
        return new PredictorScore(name, n, meanActual, sumPredicted / n, sumError / n, rmse, meanActual > 0 ? rmse / meanActual : double.NaN);
    }
}
