using System.Collections.Immutable;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Simulator.Scenario;

/// <summary>A simulated day: the routing configuration, who works when, and the traffic of each queue. Times are seconds from <see cref="Start"/>.</summary>
public sealed record SimScenario(
    string Name,
    string Source,
    ProviderConfig Config,
    DateTimeOffset Start,
    double DurationSeconds,
    double IntervalSeconds,
    double WarmupSeconds,
    double DrainSeconds,
    double SampleSeconds,
    ulong Seed,
    int Replications,
    ImmutableArray<QueueTraffic> Traffic,
    ImmutableArray<SimOperator> Operators,
    StaffingSettings? Staffing)
{
    public int IntervalCount => Math.Max(1, (int)Math.Ceiling(DurationSeconds / IntervalSeconds - 1e-9));

    /// <summary>Start of interval <paramref name="i"/> as a clock time.</summary>
    public DateTimeOffset IntervalStart(int i) => Start.AddSeconds(i * IntervalSeconds);
}

/// <summary>The calls of one queue: when they come, how long they talk, how long they are willing to wait.</summary>
/// <param name="Patience">Null: callers never hang up.</param>
public sealed record QueueTraffic(QueueId Queue, ArrivalProcess Arrivals, Distribution Talk, Distribution? Patience);

/// <summary>When calls arrive.</summary>
public abstract record ArrivalProcess
{
    /// <summary>Poisson arrivals with a constant rate per interval (calls per second); the last rate holds to the end.</summary>
    public sealed record Poisson(ImmutableArray<double> RatePerSecond, double IntervalSeconds) : ArrivalProcess
    {
        public double RateAt(int interval) => RatePerSecond.IsEmpty ? 0 : RatePerSecond[Math.Min(interval, RatePerSecond.Length - 1)];
    }

    /// <summary>Recorded arrivals (seconds from the start, sorted), optionally with their talk time and patience.</summary>
    public sealed record Recorded(ImmutableArray<RecordedArrival> Calls) : ArrivalProcess;
}

/// <summary>One recorded call: arrival time, and its talk time and patience when known (else drawn).</summary>
public sealed record RecordedArrival(double At, double? TalkSeconds, double? PatienceSeconds);

/// <summary>An operator of the simulation with the periods it is logged in (seconds from the start).</summary>
public sealed record SimOperator(OperatorConfig Config, ImmutableArray<Shift> Shifts);

/// <summary>A logged-in period, [From, To).</summary>
public sealed record Shift(double From, double To);

/// <summary>Options of the staffing helper.</summary>
/// <param name="Queues">Queues to staff; empty = every queue with traffic.</param>
/// <param name="Target">Target service level; null = each queue's configured one.</param>
/// <param name="Replications">Simulation replications per candidate staffing.</param>
public sealed record StaffingSettings(ImmutableArray<QueueId> Queues, ServiceLevelTarget? Target, int Replications);
