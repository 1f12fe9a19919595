using System.Globalization;
using Routing.Simulator.Analysis;
using Routing.Simulator.Engine;
using Routing.Simulator.Scenario;

namespace Routing.Simulator.Tests;

/// <summary>Scenario texts for the tests, and replication helpers.</summary>
internal static class Scenarios
{
    private static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>One queue, one skill, FIFO, <paramref name="servers"/> identical operators without wrap-up: M/M/n (+M with patience).</summary>
    public static SimScenario SingleQueue(int servers, double callsPerHour, double meanTalkSeconds, double? meanPatienceSeconds,
        double hours, double warmupHours, int slSeconds = 20) =>
        ScenarioLoader.Parse($"""
            simulation:
              name: single queue
              start: "00:00"
              duration: {F(hours + warmupHours)}h
              interval: {F(hours + warmupHours)}h
              warmup: {F(warmupHours)}h
              drain: 24h
              sample: 1h
            tenants:
              - id: t
                name: T
                numbers: ["100"]
                queues:
                  - id: q
                    serviceLevel: 80% in {slSeconds}s
                    strategy: longest-idle
                    requires: {"{ s: 1 }"}
                    tiers: [1]
            teams:
              - {"{"} id: op, count: {servers}, tier: 1, tenants: [t], skills: {"{ s: 5 }"}, wrapUp: 0s {"}"}
            traffic:
              - queue: t/q
                poisson: {F(callsPerHour)}
                talk: {"{"} exponential: {F(meanTalkSeconds)}s {"}"}
            {(meanPatienceSeconds is { } p ? $"    patience: {{ exponential: {F(p)}s }}" : "")}
            """, "single-queue.yaml", ".");

    /// <summary>Runs <paramref name="replications"/> independent days (seeds 1…n) and returns a figure of each.</summary>
    public static List<T> Replicate<T>(SimScenario s, int replications, Func<SimulationResult, T> figure, ulong firstSeed = 1, bool recordCalls = false)
    {
        var values = new T[replications];
        // Replications are independent: two cores halve the wall time, and the results do not depend on the scheduling.
        Parallel.For(0, replications, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => values[i] = figure(Simulation.Run(s, firstSeed + (ulong)i * 1_000_003, recordCalls: recordCalls)));
        return [.. values];
    }

    public static Estimate Ci(IEnumerable<double> values) => Estimate.Of([.. values], 0.99);
}
