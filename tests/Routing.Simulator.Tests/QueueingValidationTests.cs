using Routing.Simulator.Analysis;
using Routing.Simulator.Engine;
using Xunit.Abstractions;

namespace Routing.Simulator.Tests;

/// <summary>
/// The simulator (and so PoolMatcher) against queueing theory. Each case runs independent replications of a long
/// steady-state day (warm-up discarded) and requires the formula's value to lie inside the 99% confidence interval
/// (Student t over replications) of the simulated mean. Seeds are fixed, so a pass is reproducible; a wrong matcher,
/// a wrong clock or a wrong formula moves the mean by many half-widths.
/// </summary>
public class QueueingValidationTests(ITestOutputHelper output)
{
    private const int Replications = 30;
    private const double AhtSeconds = 60;

    [Theory]
    [InlineData(5, 0.70)]
    [InlineData(10, 0.85)]
    [InlineData(20, 0.90)]
    public void MMn_FIFO_matches_Erlang_C(int servers, double utilisation)
    {
        var lambda = utilisation * servers / AhtSeconds; // per second
        var s = Scenarios.SingleQueue(servers, lambda * 3600, AhtSeconds, null, hours: 8, warmupHours: 1);
        var runs = Scenarios.Replicate(s, Replications, r =>
        {
            var t = r.Total(0);
            var waits = t.Waits;
            return (PWait: waits.Count(w => w > 0) / (double)waits.Count,
                Asa: t.Figures.AverageSpeedOfAnswer!.Value.TotalSeconds,
                Sl: t.Figures.ServiceLevelPercent!.Value / 100);
        });
        var pWait = Scenarios.Ci(runs.Select(x => x.PWait));
        var asa = Scenarios.Ci(runs.Select(x => x.Asa));
        var sl = Scenarios.Ci(runs.Select(x => x.Sl));
        var expectedPWait = ErlangC.ProbabilityOfWaiting(servers, lambda * AhtSeconds);
        var expectedAsa = ErlangC.AverageSpeedOfAnswer(servers, lambda, AhtSeconds);
        var expectedSl = ErlangC.ServiceLevel(servers, lambda, AhtSeconds, 20);
        output.WriteLine($"M/M/{servers} ρ={utilisation}: P(wait) sim {pWait} Erlang C {expectedPWait:0.0000}");
        output.WriteLine($"  ASA sim {asa} Erlang C {expectedAsa:0.000}s; SL(20s) sim {sl} Erlang C {expectedSl:0.0000}");
        Assert.True(pWait.Contains(expectedPWait), $"P(wait): Erlang C {expectedPWait} outside {pWait}");
        Assert.True(asa.Contains(expectedAsa), $"ASA: Erlang C {expectedAsa} outside {asa}");
        Assert.True(sl.Contains(expectedSl), $"SL: Erlang C {expectedSl} outside {sl}");
        // The intervals must also be tight enough to mean something.
        Assert.True(pWait.HalfWidth < 0.03 && sl.HalfWidth < 0.03, "too few calls for a meaningful comparison");
    }

    [Theory]
    [InlineData(10, 0.90, 120)]
    [InlineData(10, 1.20, 60)]
    [InlineData(30, 1.00, 180)]
    public void MMn_plus_M_matches_Erlang_A(int servers, double offeredLoad, double meanPatience)
    {
        var lambda = offeredLoad * servers / AhtSeconds;
        var s = Scenarios.SingleQueue(servers, lambda * 3600, AhtSeconds, meanPatience, hours: 6, warmupHours: 1);
        // Call records are needed here (the mean wait counts abandoned callers too).
        var runs = Scenarios.Replicate(s, Replications, r =>
        {
            var counted = r.Calls.Where(c => c.Counted).ToList();
            return (PAb: counted.Count(c => c.Outcome == CallOutcome.Abandoned) / (double)counted.Count,
                MeanWait: counted.Average(c => c.WaitSeconds),
                PWait: counted.Count(c => c.WaitSeconds > 0) / (double)counted.Count);
        }, recordCalls: true);
        var pAb = Scenarios.Ci(runs.Select(x => x.PAb));
        var wait = Scenarios.Ci(runs.Select(x => x.MeanWait));
        var pWait = Scenarios.Ci(runs.Select(x => x.PWait));
        var expected = ErlangA.Compute(servers, lambda, AhtSeconds, meanPatience);
        output.WriteLine($"M/M/{servers}+M load {offeredLoad} patience {meanPatience}s: P(ab) sim {pAb} Erlang A {expected.ProbabilityOfAbandoning:0.0000}");
        output.WriteLine($"  mean wait sim {wait} Erlang A {expected.MeanWaitAllCallers:0.000}s; P(wait) sim {pWait} Erlang A {expected.ProbabilityOfWaiting:0.0000}");
        Assert.True(pAb.Contains(expected.ProbabilityOfAbandoning), $"P(abandon): Erlang A {expected.ProbabilityOfAbandoning} outside {pAb}");
        Assert.True(wait.Contains(expected.MeanWaitAllCallers), $"mean wait: Erlang A {expected.MeanWaitAllCallers} outside {wait}");
        Assert.True(pWait.Contains(expected.ProbabilityOfWaiting), $"P(wait): Erlang A {expected.ProbabilityOfWaiting} outside {pWait}");
    }
}
