using Routing.Domain;
using Routing.Simulator.Engine;
using Routing.Simulator.Scenario;
using Xunit.Abstractions;

namespace Routing.Simulator.Tests;

/// <summary>The configured routing (priorities, skills, relaxation, overflow, shifts) shows in the simulated day.</summary>
public class RoutingBehaviourTests(ITestOutputHelper output)
{
    private const string TwoPriorities = """
        simulation: { start: "08:00", end: "14:00", interval: 1h, warmup: 30m, seed: 11 }
        tenants:
          - id: bank
            name: Bank
            numbers: ["1"]
            defaultQueue: standard
            queues:
              - { id: gold, priority: 5, serviceLevel: 80% in 20s, requires: { accounts: 1 } }
              - { id: standard, priority: 0, serviceLevel: 80% in 20s, requires: { accounts: 1 } }
        teams:
          - { id: op, count: 24, tier: 1, tenants: [bank], skills: { accounts: 5 }, wrapUp: 10s }
        traffic:
          # 24 operators, offered load about 28 Erlangs: overload, absorbed by abandonment.
          - { queue: bank/gold, poisson: 200, talk: { exponential: 3m }, patience: { exponential: 2m } }
          - { queue: bank/standard, poisson: 330, talk: { exponential: 3m }, patience: { exponential: 2m } }
        """;

    [Fact]
    public void Higher_priority_queue_keeps_its_service_level_under_overload()
    {
        var s = ScenarioLoader.Parse(TwoPriorities, "priorities.yaml", ".");
        var r = Simulation.Run(s, s.Seed);
        var gold = r.Total(new QueueId("bank/gold")).Figures;
        var standard = r.Total(new QueueId("bank/standard")).Figures;
        output.WriteLine($"gold SL {gold.ServiceLevelPercent:0.0}% abandon {gold.AbandonRatePercent:0.0}%; standard SL {standard.ServiceLevelPercent:0.0}% abandon {standard.AbandonRatePercent:0.0}%");
        Assert.True(gold.ServiceLevelPercent > standard.ServiceLevelPercent + 30, "priority 5 must be served well ahead of priority 0");
        Assert.True(gold.AbandonRatePercent < standard.AbandonRatePercent);
        // And in every interval of the day, not just on average.
        for (var i = 0; i < r.IntervalCount; i++)
        {
            var g = r.Cells[0, i].Figures.ServiceLevelPercent;
            var st = r.Cells[1, i].Figures.ServiceLevelPercent;
            if (g is not null && st is not null && r.Scenario.IntervalStart(i) >= r.Scenario.Start.AddHours(1)) Assert.True(g > st, $"interval {i}: gold {g} vs standard {st}");
        }
    }

    [Fact]
    public void Same_priority_shares_the_wait()
    {
        var s = ScenarioLoader.Parse(TwoPriorities.Replace("priority: 5", "priority: 0"), "fifo.yaml", ".");
        var r = Simulation.Run(s, s.Seed);
        var gold = r.Total(new QueueId("bank/gold")).Figures;
        var standard = r.Total(new QueueId("bank/standard")).Figures;
        output.WriteLine($"FIFO: gold SL {gold.ServiceLevelPercent:0.0}%, standard SL {standard.ServiceLevelPercent:0.0}%");
        Assert.InRange(gold.ServiceLevelPercent!.Value - standard.ServiceLevelPercent!.Value, -10, 10);
    }

    private const string Skills = """
        simulation: { start: "09:00", end: "13:00", interval: 1h, seed: 5 }
        tenants:
          - id: shop
            name: Shop
            numbers: ["2"]
            defaultQueue: english
            queues:
              - { id: english, requires: { english: 1 } }
              - { id: french, requires: { french: 6 } }
              - id: german
                requires: { german: 8 }
                relax: [ { after: 45s, requires: { german: 3 } } ]
        operators:
          - { id: anne, password: x, tenants: [shop], skills: { english: 9, french: 7 }, wrapUp: 0s }
          - { id: bert, password: x, tenants: [shop], skills: { english: 9, german: 9 }, wrapUp: 0s }
          - { id: carl, password: x, tenants: [shop], skills: { english: 9, german: 4 }, wrapUp: 0s }
          - { id: dora, password: x, tenants: [shop], skills: { english: 9, french: 5 }, wrapUp: 0s }
        traffic:
          - { queue: shop/english, poisson: 30, talk: { exponential: 2m } }
          - { queue: shop/french, poisson: 15, talk: { exponential: 2m } }
          - { queue: shop/german, poisson: 20, talk: { exponential: 2m } }
        """;

    [Fact]
    public void Calls_go_only_to_operators_with_the_skills_in_force()
    {
        var s = ScenarioLoader.Parse(Skills, "skills.yaml", ".");
        var r = Simulation.Run(s, s.Seed);
        var answered = r.Calls.Where(c => c.Outcome == CallOutcome.Answered).ToList();
        Assert.True(answered.Count > 200);
        // french needs level 6: dora (5) never gets one.
        Assert.All(answered.Where(c => c.Queue.Name == "french"), c => Assert.Equal("anne", c.Operator!.Value.Value));
        // german needs 8 (bert) until the call has waited 45 s; then carl (4) may take it too.
        var german = answered.Where(c => c.Queue.Name == "german").ToList();
        Assert.All(german.Where(c => c.Operator!.Value.Value == "carl"), c => Assert.True(c.WaitSeconds >= 45 - 1e-6, $"carl took a german call after {c.WaitSeconds}s"));
        Assert.Contains(german, c => c.Operator!.Value.Value == "carl");
        Assert.DoesNotContain(german, c => c.Operator!.Value.Value is "anne" or "dora");
    }

    [Fact]
    public void Overflow_to_another_queue_and_shifts_are_followed()
    {
        var text = """
            simulation: { start: "08:00", end: "12:00", interval: 1h, seed: 3 }
            tenants:
              - id: t
                name: T
                numbers: ["3"]
                defaultQueue: first
                queues:
                  - { id: first, requires: { a: 1 }, overflow: [ { after: 30s, queue: second } ] }
                  - { id: second, requires: { b: 1 } }
            operators:
              - { id: a1, password: x, tenants: [t], skills: { a: 5 }, wrapUp: 0s }
              - { id: b1, password: x, tenants: [t], skills: { b: 5 }, wrapUp: 0s }
            shifts:
              b1: ["10:00-12:00"]
            traffic:
              - { queue: t/first, poisson: 60, talk: { exponential: 3m } }
            """;
        var s = ScenarioLoader.Parse(text, "overflow.yaml", ".");
        var r = Simulation.Run(s, s.Seed);
        var byB = r.Calls.Where(c => c.Operator?.Value == "b1").ToList();
        Assert.NotEmpty(byB);
        Assert.All(byB, c => Assert.Equal("second", c.Queue.Name));
        Assert.All(byB, c => Assert.True(c.WaitSeconds >= 30 - 1e-6));
        // b1 works from 10:00 (7200 s after the start) only; it may finish a call after 12:00 but takes none then.
        Assert.All(byB, c => Assert.InRange(c.ArrivalSeconds + c.WaitSeconds, 7200, 4 * 3600 + 1e-6));
        Assert.True(r.Total(new QueueId("t/first")).Figures.Overflowed > 0);
    }

    [Fact]
    public void Same_seed_same_day_other_seed_other_day()
    {
        var s = ScenarioLoader.Parse(TwoPriorities, "priorities.yaml", ".");
        var a = Simulation.Run(s, 42);
        var b = Simulation.Run(s, 42);
        var c = Simulation.Run(s, 43);
        Assert.Equal(a.Calls.Select(x => (x.ArrivalSeconds, x.WaitSeconds, x.Operator)), b.Calls.Select(x => (x.ArrivalSeconds, x.WaitSeconds, x.Operator)));
        Assert.NotEqual(a.Calls.Select(x => x.ArrivalSeconds), c.Calls.Select(x => x.ArrivalSeconds));
    }
}
