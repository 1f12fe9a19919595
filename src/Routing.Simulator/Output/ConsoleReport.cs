using System.Globalization;
using Routing.Simulator.Engine;
using Routing.Simulator.Scenario;
using Routing.Simulator.Staffing;
using Spectre.Console;

namespace Routing.Simulator.Output;

/// <summary>The readable summary: per queue, per interval for the centre, the replications' spread, and the wait predictors.</summary>
public static class ConsoleReport
{
    public static void Write(IAnsiConsole console, Aggregate a, SimScenario s)
    {
        var reps = a.Runs.Count;
        console.MarkupLine($"[bold]{Markup.Escape(s.Name)}[/]  {s.Start:yyyy-MM-dd HH:mm} + {TimeSpan.FromSeconds(s.DurationSeconds):g}, " +
            $"{reps} replication{(reps == 1 ? "" : "s")} from seed {s.Seed}, {a.Runs.Sum(r => r.CallsSimulated):N0} calls simulated");

        var queues = new Table().Title("[bold]Queues over the day[/]").Border(TableBorder.Rounded);
        foreach (var h in new[] { "queue", "target", "offered", "answered", "abandon %", "service level %", "ASA", "AHT", "occupancy %", "longest wait", "wait p50 / p90 / p99" })
            queues.AddColumn(new TableColumn(h).RightAligned());
        queues.Columns[0].LeftAligned();
        for (var q = 0; q <= a.Queues.Length; q++)
        {
            var isCentre = q == a.Queues.Length;
            var c = isCentre ? a.CentreTotal() : a.QueueTotal(q);
            var config = isCentre ? null : s.Config.FindQueue(a.Queues[q]);
            var f = c.Figures;
            var sl = isCentre ? Pct(f.ServiceLevelPercent) : Spread(a, r => r.Total(q).Figures.ServiceLevelPercent, f.ServiceLevelPercent);
            var asa = isCentre ? Sec(f.AverageSpeedOfAnswer?.TotalSeconds) : Spread(a, r => r.Total(q).Figures.AverageSpeedOfAnswer?.TotalSeconds, f.AverageSpeedOfAnswer?.TotalSeconds, "s");
            queues.AddRow(
                isCentre ? "[bold]all queues[/]" : Markup.Escape(a.Queues[q].Value),
                config is null ? "" : $"{config.ServiceLevel.Percent:0.#}% in {config.ServiceLevel.Seconds}s",
                (f.Offered / (double)reps).ToString("N0", CultureInfo.InvariantCulture),
                (f.Answered / (double)reps).ToString("N0", CultureInfo.InvariantCulture),
                Pct(f.AbandonRatePercent), sl, asa, Sec(f.AverageHandleTime?.TotalSeconds), Pct(c.Occupancy * 100), Sec(c.MaxWait),
                $"{Sec(Aggregate.Percentile(c.Waits, 50))} / {Sec(Aggregate.Percentile(c.Waits, 90))} / {Sec(Aggregate.Percentile(c.Waits, 99))}");
        }
        console.Write(queues);

        var intervals = new Table().Title("[bold]The day, all queues[/]").Border(TableBorder.Simple);
        foreach (var h in new[] { "interval", "offered", "service level %", "ASA", "abandon %", "AHT", "occupancy %", "operators", "waiting avg / max", "longest wait" })
            intervals.AddColumn(new TableColumn(h).RightAligned());
        for (var i = 0; i < a.Intervals; i++)
        {
            var c = a.Centre[i];
            var f = c.Figures;
            var queueLength = 0.0;
            var queueMax = 0;
            for (var q = 0; q < a.Queues.Length; q++)
            {
                queueLength += a.Cells[q, i].AverageQueueLength ?? 0;
                queueMax = Math.Max(queueMax, a.Cells[q, i].QueueLengthMax);
            }
            intervals.AddRow(s.IntervalStart(i).ToString("HH:mm", CultureInfo.InvariantCulture),
                (f.Offered / (double)reps).ToString("N0", CultureInfo.InvariantCulture), Pct(f.ServiceLevelPercent), Sec(f.AverageSpeedOfAnswer?.TotalSeconds),
                Pct(f.AbandonRatePercent), Sec(f.AverageHandleTime?.TotalSeconds), Pct(c.Occupancy * 100),
                (c.StaffedSeconds / s.IntervalSeconds / reps).ToString("0.#", CultureInfo.InvariantCulture),
                $"{queueLength.ToString("0.#", CultureInfo.InvariantCulture)} / {queueMax}", Sec(c.MaxWait));
        }
        console.Write(intervals);

        var scores = PredictorScore.Of(a.Runs.SelectMany(r => r.Calls));
        if (scores[0].Calls > 0)
        {
            var p = new Table().Title("[bold]Wait announcements[/] (callers who waited and were answered)").Border(TableBorder.Rounded);
            foreach (var h in new[] { "predictor", "callers", "mean actual", "mean announced", "bias", "RMSE", "relative RMSE" })
                p.AddColumn(new TableColumn(h).RightAligned());
            p.Columns[0].LeftAligned();
            foreach (var sc in scores)
                p.AddRow(Markup.Escape(sc.Name), sc.Calls.ToString("N0", CultureInfo.InvariantCulture), Sec(sc.MeanActual), Sec(sc.MeanPredicted),
                    Sec(sc.Bias, signed: true), Sec(sc.Rmse), sc.RelativeRmse.ToString("0.00", CultureInfo.InvariantCulture));
            console.Write(p);
        }
    }

    public static void WriteStaffing(IAnsiConsole console, IReadOnlyList<StaffingAdvice> advice, SimScenario s)
    {
        var t = new Table().Title("[bold]Staffing: fewest operators meeting the target[/]").Border(TableBorder.Rounded);
        foreach (var h in new[] { "queue", "interval", "calls/h", "AHT", "target", "Erlang C", "simulated", "service level %", "abandon %", "Erlang A abandon %", "scheduled" })
            t.AddColumn(new TableColumn(h).RightAligned());
        t.Columns[0].LeftAligned();
        foreach (var x in advice)
            t.AddRow(Markup.Escape(x.Queue.Value), s.IntervalStart(x.Interval).ToString("HH:mm", CultureInfo.InvariantCulture),
                x.CallsPerHour.ToString("0", CultureInfo.InvariantCulture), Sec(x.HandleSeconds), $"{x.Target.Percent:0.#}% in {x.Target.Seconds}s",
                x.ErlangC.ToString(CultureInfo.InvariantCulture), x.Simulated?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Pct(x.ServiceLevelPercent), Pct(x.AbandonPercent), Pct(x.ErlangAAbandonPercent), x.Scheduled.ToString("0.#", CultureInfo.InvariantCulture));
        console.Write(t);
    }

    private static string Spread(Aggregate a, Func<SimulationResult, double?> figure, double? pooled, string unit = "")
    {
        var text = pooled is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + unit : "-";
        if (a.Runs.Count < 2) return text;
        var e = a.Spread(figure);
        return double.IsFinite(e.HalfWidth) ? $"{text} ±{e.HalfWidth.ToString("0.0", CultureInfo.InvariantCulture)}" : text;
    }

    private static string Pct(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Sec(double? v, bool signed = false) =>
        v is { } x && double.IsFinite(x) ? (signed && x > 0 ? "+" : "") + x.ToString("0.0", CultureInfo.InvariantCulture) + "s" : "-";
}
