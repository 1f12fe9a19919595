using System.Diagnostics;
using System.Globalization;
using Routing.Domain.Config;
using Routing.Simulator.Engine;
using Routing.Simulator.Output;
using Routing.Simulator.Scenario;
using Routing.Simulator.Staffing;
using Spectre.Console;

namespace Routing.Simulator;

/// <summary>The command line: simulate a scenario, write the reports, optionally advise staffing or measure speed.</summary>
public static class Program
{
    private const string Usage = """
        Usage: Routing.Simulator <scenario.yaml> [options]
          --seed N            seed of the first replication (default: the scenario's)
          --replications N    independent days to simulate (default: the scenario's)
          --out DIR           where to write intervals.csv, waits.csv, day.svg (default: sim-out/<scenario>)
          --calls             also write calls.csv (every call with its announced and actual wait)
          --no-plot           do not write day.svg
          --staffing          advise the fewest operators per interval meeting the service-level target
          --benchmark [N]     run the day N times (default 3) and print simulated calls per second of wall time
          --quiet             no progress bar
        """;

    public static int Main(string[] args)
    {
        var console = AnsiConsole.Console;
        // Redirected output would be wrapped at 80 columns: give the tables room.
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        string? path = null, outDir = null;
        ulong? seed = null;
        int? replications = null;
        int benchmark = 0;
        bool calls = false, plot = true, staffing = false, quiet = Console.IsOutputRedirected;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--seed": seed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--replications": replications = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--out": outDir = Next(); break;
                    case "--calls": calls = true; break;
                    case "--no-plot": plot = false; break;
                    case "--staffing": staffing = true; break;
                    case "--quiet": quiet = true; break;
                    case "--benchmark":
                        benchmark = i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) ? (++i, n).n : 3;
                        break;
                    case "-h" or "--help":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        if (args[i].StartsWith('-') || path is not null) throw new ArgumentException($"unknown argument '{args[i]}'");
                        path = args[i];
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        if (path is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        SimScenario scenario;
        try
        {
            scenario = ScenarioLoader.LoadFile(path);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        if (seed is { } s) scenario = scenario with { Seed = s };
        if (replications is { } r) scenario = scenario with { Replications = Math.Max(1, r) };

        if (benchmark > 0) return Benchmark(scenario, benchmark, path);

        var runs = RunWithProgress(console, scenario, quiet);
        var aggregate = new Aggregate(runs);
        ConsoleReport.Write(console, aggregate, scenario);

        outDir ??= Path.Combine("sim-out", Slug(Path.GetFileNameWithoutExtension(path)));
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        void Write(string name, string text)
        {
            var file = Path.Combine(outDir, name);
            File.WriteAllText(file, text);
            written.Add(file);
        }
        Write("intervals.csv", CsvReport.Intervals(aggregate, scenario));
        Write("waits.csv", CsvReport.Waits(aggregate));
        if (plot) Write("day.svg", SvgPlot.Render(aggregate, scenario));
        if (calls)
        {
            var file = Path.Combine(outDir, "calls.csv");
            using (var w = new StreamWriter(file)) CsvReport.Calls(aggregate, w);
            written.Add(file);
        }

        if (staffing)
        {
            var helper = new StaffingHelper(scenario);
            IReadOnlyList<StaffingAdvice> advice = [];
            if (quiet) advice = helper.Advise(runs[0]);
            else
                console.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("staffing search");
                    advice = helper.Advise(runs[0], new Progress<double>(f => task.Value = 100 * f));
                });
            ConsoleReport.WriteStaffing(console, advice, scenario);
            Write("staffing.csv", "queue,interval_start,calls_per_hour,aht_s,target,erlang_c,simulated,service_level_pct,abandon_pct,erlang_a_abandon_pct,scheduled\n" +
                string.Concat(advice.Select(x => string.Join(',', x.Queue.Value, scenario.IntervalStart(x.Interval).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
                    F(x.CallsPerHour), F(x.HandleSeconds), $"{F(x.Target.Percent)}% in {x.Target.Seconds}s", x.ErlangC, x.Simulated?.ToString(CultureInfo.InvariantCulture) ?? "",
                    F(x.ServiceLevelPercent), F(x.AbandonPercent), F(x.ErlangAAbandonPercent), F(x.Scheduled)) + "\n")));
        }
        foreach (var f in written) console.MarkupLine($"wrote [link]{Markup.Escape(f)}[/]");
        return 0;
    }

    private static List<SimulationResult> RunWithProgress(IAnsiConsole console, SimScenario scenario, bool quiet)
    {
        var runs = new List<SimulationResult>();
        if (quiet)
        {
            for (var i = 0; i < scenario.Replications; i++) runs.Add(Simulation.Run(scenario, scenario.Seed + (ulong)i));
            return runs;
        }
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"simulating {scenario.Replications} day{(scenario.Replications == 1 ? "" : "s")}", maxValue: scenario.Replications);
                for (var i = 0; i < scenario.Replications; i++)
                {
                    var done = i;
                    // Progress<T> would post to the thread pool; the simulation is synchronous, so report inline.
                    runs.Add(Simulation.Run(scenario, scenario.Seed + (ulong)i, new Inline(f => task.Value = done + f)));
                }
                task.Value = scenario.Replications;
            });
        return runs;
    }

    private static int Benchmark(SimScenario scenario, int times, string path)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical CPUs, {CpuModel()}, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger" : "no debugger")}");
        Console.WriteLine($"scenario: {path} ({scenario.Operators.Length} operators, {scenario.Traffic.Length} queues)");
        var rates = new List<double>();
        for (var i = 0; i <= times; i++)
        {
            var result = Simulation.Run(scenario, scenario.Seed, recordCalls: false);
            var wall = result.WallTime.TotalSeconds;
            var label = i == 0 ? "warm-up (JIT)" : $"run {i}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-14} {result.CallsSimulated,9:N0} calls {result.Events,10:N0} events {wall,7:0.000} s wall  {result.CallsSimulated / wall,10:N0} calls/s  {result.Events / wall,11:N0} events/s  day/wall = {result.EndSeconds / wall:N0}x"));
            if (i > 0) rates.Add(result.CallsSimulated / wall);
        }
        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {rates[rates.Count / 2]:N0} calls/s over {times} runs"));
        return 0;
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string Slug(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);

    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.##", CultureInfo.InvariantCulture) : "";

    private sealed class Inline(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
