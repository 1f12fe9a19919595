using System.Globalization;
using System.Text;
using Routing.Simulator.Engine;

namespace Routing.Simulator.Output;

/// <summary>Writes the figures as CSV (invariant culture, one header line): per interval and queue, the wait distribution, and optionally every call.</summary>
public static class CsvReport
{
    public static readonly double[] WaitBuckets = [0, 5, 10, 20, 30, 60, 120, 300, 600, double.PositiveInfinity];

    /// <summary>intervals.csv: one row per interval and queue, then the centre as queue "ALL".</summary>
    public static string Intervals(Aggregate a, Scenario.SimScenario s)
    {
        var sb = new StringBuilder();
        sb.AppendLine("interval_start,queue,offered,answered,abandoned,overflowed,unfinished,service_level_pct,asa_s,aht_s,abandon_pct,occupancy_pct,staffed_avg,longest_wait_s,queue_length_avg,queue_length_max,wait_p50_s,wait_p90_s,wait_p95_s");
        var reps = a.Runs.Count;
        for (var i = 0; i < a.Intervals; i++)
        {
            var start = s.IntervalStart(i).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
            for (var q = 0; q < a.Queues.Length; q++) Row(sb, start, a.Queues[q].Value, a.Cells[q, i], reps, s.IntervalSeconds);
            Row(sb, start, "ALL", a.Centre[i], reps, s.IntervalSeconds);
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string start, string queue, IntervalCell c, int reps, double width)
    {
        var f = c.Figures;
        sb.Append(start).Append(',').Append(queue).Append(',')
            .Append(N(f.Offered / (double)reps)).Append(',').Append(N(f.Answered / (double)reps)).Append(',')
            .Append(N(f.Abandoned / (double)reps)).Append(',').Append(N(f.Overflowed / (double)reps)).Append(',')
            .Append(N(c.Unfinished / (double)reps)).Append(',')
            .Append(N(f.ServiceLevelPercent)).Append(',').Append(N(f.AverageSpeedOfAnswer?.TotalSeconds)).Append(',')
            .Append(N(f.AverageHandleTime?.TotalSeconds)).Append(',').Append(N(f.AbandonRatePercent)).Append(',')
            .Append(N(c.Occupancy * 100)).Append(',').Append(N(c.StaffedSeconds / width / reps)).Append(',')
            .Append(N(c.MaxWait)).Append(',').Append(N(c.AverageQueueLength)).Append(',').Append(c.QueueLengthMax).Append(',')
            .Append(N(Aggregate.Percentile(c.Waits, 50))).Append(',').Append(N(Aggregate.Percentile(c.Waits, 90))).Append(',')
            .Append(N(Aggregate.Percentile(c.Waits, 95))).AppendLine();
    }

    /// <summary>waits.csv: answered calls per wait bucket and queue, with the cumulative share.</summary>
    public static string Waits(Aggregate a)
    {
        var sb = new StringBuilder("queue,wait_up_to_s,answered,share_pct,cumulative_pct\n");
        for (var q = 0; q <= a.Queues.Length; q++)
        {
            var (name, waits) = q < a.Queues.Length ? (a.Queues[q].Value, a.QueueTotal(q).Waits) : ("ALL", a.CentreTotal().Waits);
            var counts = Histogram(waits);
            var cumulative = 0;
            for (var b = 0; b < WaitBuckets.Length; b++)
            {
                cumulative += counts[b];
                var upTo = double.IsPositiveInfinity(WaitBuckets[b]) ? "inf" : N(WaitBuckets[b]);
                sb.Append(name).Append(',').Append(upTo).Append(',').Append(counts[b]).Append(',')
                    .Append(N(waits.Count == 0 ? null : 100.0 * counts[b] / waits.Count)).Append(',')
                    .Append(N(waits.Count == 0 ? null : 100.0 * cumulative / waits.Count)).AppendLine();
            }
        }
        return sb.ToString();
    }

    /// <summary>Counts per bucket of <see cref="WaitBuckets"/> (a wait w falls in the first bucket with w ≤ its bound).</summary>
    public static int[] Histogram(IEnumerable<double> waits)
    {
        var counts = new int[WaitBuckets.Length];
        foreach (var w in waits)
        {
            var b = 0;
            while (w > WaitBuckets[b]) b++;
            counts[b]++;
        }
        return counts;
    }

    /// <summary>calls.csv: every call of every replication, with the predictions announced to it.</summary>
    public static void Calls(Aggregate a, TextWriter w)
    {
        w.WriteLine("replication,call,first_queue,queue,arrival_s,outcome,wait_s,talk_s,operator,counted,position,announced_s,ql_abandon_s,hol_s,les_s");
        for (var r = 0; r < a.Runs.Count; r++)
            foreach (var c in a.Runs[r].Calls)
                w.WriteLine(string.Join(',', r + 1, c.Index, c.FirstQueue, c.Queue, N(c.ArrivalSeconds), c.Outcome, N(c.WaitSeconds), N(c.TalkSeconds),
                    c.Operator?.Value ?? "", c.Counted ? 1 : 0, c.Position?.ToString(CultureInfo.InvariantCulture) ?? "", N(c.Announced), N(c.QueueLengthAbandon), N(c.HeadOfLine), N(c.LastToEnterService)));
    }

    private static string N(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
