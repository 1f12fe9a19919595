using System.Collections.Immutable;
using Routing.Domain;
using Routing.Domain.Queues;
using Routing.Simulator.Scenario;

namespace Routing.Simulator.Engine;

/// <summary>How a simulated call ended.</summary>
public enum CallOutcome
{
    Waiting,
    Answered,
    Abandoned,
    /// <summary>Left for an external destination under an overflow rule.</summary>
    Overflowed,
    /// <summary>Still waiting when the simulation stopped.</summary>
    Unfinished,
}

/// <summary>One simulated call, with the waits announced to it at arrival (null when it was answered at once).</summary>
/// <param name="Queue">The queue it ended in (after any overflow to another queue).</param>
/// <param name="Position">Its position at arrival as <see cref="Routing.Domain.Routing.PoolMatcher.Estimate"/> gave it.</param>
/// <param name="Announced">PoolMatcher.Estimate's expected wait (the gateway's announcement).</param>
/// <param name="QueueLengthAbandon">The queue-length predictor with abandonment correction.</param>
/// <param name="HeadOfLine">The head-of-line predictor.</param>
/// <param name="LastToEnterService">The last-to-enter-service predictor.</param>
public sealed record CallRecord(
    int Index,
    QueueId FirstQueue,
    QueueId Queue,
    double ArrivalSeconds,
    double WaitSeconds,
    double TalkSeconds,
    CallOutcome Outcome,
    OperatorId? Operator,
    bool Counted,
    int? Position,
    double? Announced,
    double? QueueLengthAbandon,
    double? HeadOfLine,
    double? LastToEnterService);

/// <summary>The figures of one queue (or of the whole centre) in one interval.</summary>
public sealed class IntervalCell(int serviceLevelSeconds)
{
    /// <summary>Offered, answered, abandoned, service level, ASA, AHT: counted by the domain's own <see cref="QueueFigures"/>.</summary>
    public QueueFigures Figures { get; set; } = QueueFigures.Empty(serviceLevelSeconds);
    public double MaxWait { get; set; }
    /// <summary>Seconds operators able to take this queue's calls spent handling calls (talk and wrap-up).</summary>
    public double BusySeconds { get; set; }
    /// <summary>Seconds those operators were logged in.</summary>
    public double StaffedSeconds { get; set; }
    public double QueueLengthSum { get; set; }
    public int QueueLengthSamples { get; set; }
    public int QueueLengthMax { get; set; }
    public int Unfinished { get; set; }
    /// <summary>Waits of the answered calls, seconds.</summary>
    public List<double> Waits { get; } = [];

    public double? Occupancy => StaffedSeconds <= 0 ? null : BusySeconds / StaffedSeconds;
    public double? AverageQueueLength => QueueLengthSamples == 0 ? null : QueueLengthSum / QueueLengthSamples;
    public double? AverageStaffed(double intervalSeconds) => StaffedSeconds / intervalSeconds;

    public void AddFrom(IntervalCell other, bool includeStaffing)
    {
        Figures = Figures.Add(other.Figures);
        MaxWait = Math.Max(MaxWait, other.MaxWait);
        if (includeStaffing)
        {
            BusySeconds += other.BusySeconds;
            StaffedSeconds += other.StaffedSeconds;
        }
        QueueLengthSum += other.QueueLengthSum;
        QueueLengthSamples = Math.Max(QueueLengthSamples, other.QueueLengthSamples);
        QueueLengthMax = Math.Max(QueueLengthMax, other.QueueLengthMax);
        Unfinished += other.Unfinished;
        Waits.AddRange(other.Waits);
    }
}

/// <summary>The outcome of one simulated day (one replication).</summary>
public sealed class SimulationResult
{
    public required SimScenario Scenario { get; init; }
    public required ulong Seed { get; init; }
    public required ImmutableArray<QueueId> Queues { get; init; }
    /// <summary>[queue, interval]; calls are counted in the interval they arrived in, staffing in the interval it happened in.</summary>
    public required IntervalCell[,] Cells { get; init; }
    /// <summary>Every operator of the centre, per interval (occupancy, staffed operators); its call figures are the sum of the queues'.</summary>
    public required IntervalCell[] Centre { get; init; }
    public required IReadOnlyList<CallRecord> Calls { get; init; }
    /// <summary>Queue lengths sampled every <see cref="SimScenario.SampleSeconds"/>: time, then one length per queue.</summary>
    public required IReadOnlyList<(double At, int[] Lengths)> Samples { get; init; }
    public required long Events { get; init; }
    public required int CallsSimulated { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required double EndSeconds { get; init; }

    public int IntervalCount => Cells.GetLength(1);

    /// <summary>One queue's figures over the whole day (counted calls only: those after the warm-up).</summary>
    public IntervalCell Total(int queue)
    {
        var total = new IntervalCell(Cells[queue, 0].Figures.ServiceLevelSeconds);
        for (var i = 0; i < IntervalCount; i++) total.AddFrom(Cells[queue, i], includeStaffing: true);
        return total;
    }

    public IntervalCell Total(QueueId queue) => Total(Queues.IndexOf(queue));

    /// <summary>The whole centre over the whole day.</summary>
    public IntervalCell CentreTotal()
    {
        var total = new IntervalCell(20);
        for (var i = 0; i < IntervalCount; i++)
        {
            total.BusySeconds += Centre[i].BusySeconds;
            total.StaffedSeconds += Centre[i].StaffedSeconds;
            for (var q = 0; q < Queues.Length; q++) total.AddFrom(Cells[q, i], includeStaffing: false);
        }
        return total;
    }
}
