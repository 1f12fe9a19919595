using Routing.Domain.Config;
using Routing.Simulator.Engine;
using Routing.Simulator.Output;
using Routing.Simulator.Scenario;
using Routing.Simulator.Staffing;

namespace Routing.Simulator.Tests;

public class ScenarioLoaderTests
{
    private static string ScenariosDir => Path.Combine(AppContext.BaseDirectory, "scenarios");

    [Fact]
    public void Errors_in_the_inline_configuration_point_at_the_scenario_line()
    {
        var text = """
            simulation: { start: "08:00", end: "09:00" }
            tenants:
              - id: t
                name: T
                numbers: ["1"]
                queues:
                  - { id: q, strategy: fastest }
            traffic:
              - { queue: t/q, poisson: 10, talk: { exponential: 1m } }
            """;
        var e = Assert.Throws<ConfigException>(() => ScenarioLoader.Parse(text, "bad.yaml", "."));
        Assert.Contains(e.Errors, x => x.Source == "bad.yaml" && x.Line == 7);
    }

    [Fact]
    public void Errors_in_the_simulator_part_are_all_reported_with_their_lines()
    {
        var text = """
            simulation: { start: "8 o'clock", end: "09:00" }
            tenants:
              - { id: t, name: T, numbers: ["1"], queues: [ { id: q } ] }
            traffic:
              - { queue: t/nope, poisson: 10, talk: { exponential: 1m } }
              - { queue: t/q, poisson: 10, talk: { gaussian: 1m } }
            """;
        var e = Assert.Throws<ConfigException>(() => ScenarioLoader.Parse(text, "bad.yaml", "."));
        Assert.Contains(e.Errors, x => x.Line == 1 && x.Message.Contains("time of day"));
        Assert.Contains(e.Errors, x => x.Line == 5 && x.Message.Contains("no queue 't/nope'"));
        Assert.Contains(e.Errors, x => x.Line == 6 && x.Message.Contains("unknown distribution"));
    }

    [Fact]
    public void Durations_and_clock_times()
    {
        Assert.Equal(90, ScenarioLoader.ParseSeconds("1m30s"));
        Assert.Equal(4.5 * 60, ScenarioLoader.ParseSeconds("4.5m"));
        Assert.Equal(0.25, ScenarioLoader.ParseSeconds("250ms"));
        Assert.Equal(42, ScenarioLoader.ParseSeconds("42"));
        Assert.Null(ScenarioLoader.ParseSeconds("soon"));
        Assert.Equal(8.5 * 3600, ScenarioLoader.ParseClock("08:30"));
    }

    [Fact]
    public void Recorded_arrivals_are_replayed_with_their_talk_times()
    {
        var dir = Directory.CreateTempSubdirectory("sim-test").FullName;
        File.WriteAllText(Path.Combine(dir, "calls.csv"), "time,queue,talk,patience\n2026-01-05T08:00:00Z,t/q,30,\n2026-01-05T08:00:10Z,t/q,30,\n2026-01-05T08:00:20Z,t/other,5,\n15,t/q,1m,5s\n");
        var text = """
            simulation: { start: "08:00", end: "09:00" }
            tenants:
              - { id: t, name: T, numbers: ["1"], defaultQueue: q, queues: [ { id: q }, { id: other } ] }
            operators:
              - { id: solo, password: x, tenants: [t], wrapUp: 0s }
            traffic:
              - { queue: t/q, recorded: calls.csv, talk: { fixed: 1m } }
            """;
        var s = ScenarioLoader.Parse(text, "recorded.yaml", dir);
        var r = Simulation.Run(s, 1);
        Assert.Equal([0.0, 10, 15], r.Calls.Select(c => c.ArrivalSeconds));
        // One operator: 0–30 s the first call, then the second (waited 20 s); the third gave up after 5 s.
        Assert.Equal([0.0, 20, 5], r.Calls.Select(c => c.WaitSeconds));
        Assert.Equal([CallOutcome.Answered, CallOutcome.Answered, CallOutcome.Abandoned], r.Calls.Select(c => c.Outcome));
    }

    [Theory]
    [InlineData("demo-day.yaml")]
    [InlineData("benchmark-1000.yaml")]
    [InlineData("recorded-day.yaml")]
    public void Shipped_scenarios_load(string file)
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(ScenariosDir, file));
        Assert.NotEmpty(s.Traffic);
        Assert.NotEmpty(s.Operators);
    }

    [Fact]
    public void Demo_day_runs_and_writes_its_reports()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(ScenariosDir, "demo-day.yaml"));
        var a = new Aggregate([Simulation.Run(s, 1), Simulation.Run(s, 2)]);
        var csv = CsvReport.Intervals(a, s);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + s.IntervalCount * (a.Queues.Length + 1), lines.Length);
        Assert.StartsWith("interval_start,queue,offered", lines[0]);
        var svg = SvgPlot.Render(a, s);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("polyline", svg);
        Assert.Contains("ALL,inf", CsvReport.Waits(a));
    }

    [Fact]
    public void Staffing_helper_finds_the_fewest_operators_meeting_the_target()
    {
        var s = Scenarios.SingleQueue(10, 300, 120, null, hours: 1, warmupHours: 0) with { Staffing = new StaffingSettings([], null, 4) };
        var advice = new StaffingHelper(s).Advise();
        var x = Assert.Single(advice);
        // 300 calls/h of 120 s = 10 Erl; Erlang C says 13 for 80/20 (SL 82.7%, and 67.8% with 12). M/M/n without
        // abandonment is exactly Erlang C's model, so the simulation must agree within one operator.
        Assert.Equal(13, x.ErlangC);
        Assert.InRange(x.Simulated!.Value, 12, 14);
        Assert.True(x.ServiceLevelPercent >= 80);
        var helper = new StaffingHelper(s);
        var template = s.Operators[0].Config;
        var below = helper.Evaluate(s.Traffic[0], template, 300 / 3600.0, x.Simulated.Value - 1, 4).Sl;
        Assert.True(below < 80, "one operator fewer must miss the target");
    }
}
