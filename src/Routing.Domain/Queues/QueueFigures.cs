namespace Routing.Domain.Queues;

/// <summary>
/// A queue's call figures over some period, immutable: every method returns a new instance.
/// <para><b>Service level</b> follows the usual contact-centre definition ("X % answered within T seconds"):
/// <c>answered within T / (answered + abandoned after T)</c>. Calls abandoned within T are left out of both
/// sides (a caller who hangs up after 3 s says little about staffing), calls answered after T count against.
/// Waits equal to T count as within. Null while no call counts.</para>
/// <para><b>ASA</b> (average speed of answer) = total wait of answered calls / answered.
/// <b>AHT</b> (average handle time) = total handle time / handled calls (talk and wrap-up, as reported).</para>
/// <para><b>Rolling AHT</b> feeds <see cref="Routing.WaitTimeEstimator"/>: a plain average over the first
/// <see cref="RollingWindow"/> handled calls, then an exponential moving average with weight 1/RollingWindow,
/// so it follows the recent calls of the day; <see cref="DefaultHandleTime"/> before any call.</para>
/// </summary>
/// <param name="ServiceLevelSeconds">T of the service-level target, e.g. 20 for "80 % in 20 s".</param>
public sealed record QueueFigures(
    int ServiceLevelSeconds,
    int Offered,
    int Answered,
    int AnsweredWithinServiceLevel,
    int Abandoned,
    int AbandonedWithinServiceLevel,
    int Overflowed,
    TimeSpan TotalAnsweredWait,
    int Handled,
    TimeSpan TotalHandleTime,
    TimeSpan? RollingHandleTime)
{
    /// <summary>The handle time assumed before any call was handled.</summary>
    public static readonly TimeSpan DefaultHandleTime = TimeSpan.FromSeconds(180);

    /// <summary>Number of recent calls the rolling AHT roughly remembers.</summary>
    public const int RollingWindow = 20;

    public static QueueFigures Empty(int serviceLevelSeconds = 20) =>
        new(serviceLevelSeconds, 0, 0, 0, 0, 0, 0, TimeSpan.Zero, 0, TimeSpan.Zero, null);

    /// <summary>A call entered the queue.</summary>
    public QueueFigures CountOffered() => this with { Offered = Offered + 1 };

    /// <summary>A waiting call was answered after <paramref name="wait"/>.</summary>
    public QueueFigures CountAnswered(TimeSpan wait) => this with
    {
        Answered = Answered + 1,
        AnsweredWithinServiceLevel = AnsweredWithinServiceLevel + (Within(wait) ? 1 : 0),
        TotalAnsweredWait = TotalAnsweredWait + Clamp(wait),
    };

    /// <summary>The caller hung up after waiting <paramref name="wait"/>.</summary>
    public QueueFigures CountAbandoned(TimeSpan wait) => this with
    {
        Abandoned = Abandoned + 1,
        AbandonedWithinServiceLevel = AbandonedWithinServiceLevel + (Within(wait) ? 1 : 0),
    };

    /// <summary>The call left for another destination under an overflow rule.</summary>
    public QueueFigures CountOverflowed() => this with { Overflowed = Overflowed + 1 };

    /// <summary>An answered call ended; <paramref name="handleTime"/> is talk plus wrap-up.</summary>
    public QueueFigures CountHandled(TimeSpan handleTime)
    {
        var h = Clamp(handleTime);
        var n = Handled + 1;
        var weight = 1.0 / Math.Min(n, RollingWindow);
        var rolling = RollingHandleTime is { } r ? r + (h - r) * weight : h;
        return this with { Handled = n, TotalHandleTime = TotalHandleTime + h, RollingHandleTime = rolling };
    }

    /// <summary>Adds another period's figures (same service-level T); the rolling AHT of the later one (<paramref name="later"/>) wins.</summary>
    public QueueFigures Add(QueueFigures later) => new(
        ServiceLevelSeconds,
        Offered + later.Offered,
        Answered + later.Answered,
        AnsweredWithinServiceLevel + later.AnsweredWithinServiceLevel,
        Abandoned + later.Abandoned,
        AbandonedWithinServiceLevel + later.AbandonedWithinServiceLevel,
        Overflowed + later.Overflowed,
        TotalAnsweredWait + later.TotalAnsweredWait,
        Handled + later.Handled,
        TotalHandleTime + later.TotalHandleTime,
        later.RollingHandleTime ?? RollingHandleTime);

    public int AbandonedAfterServiceLevel => Abandoned - AbandonedWithinServiceLevel;

    /// <summary>Answered within T / (answered + abandoned after T), in percent; null when no call counts.</summary>
    public double? ServiceLevelPercent
    {
        get
        {
            var denominator = Answered + AbandonedAfterServiceLevel;
            return denominator == 0 ? null : 100.0 * AnsweredWithinServiceLevel / denominator;
        }
    }

    /// <summary>Abandoned / offered, in percent; null before any offer.</summary>
    public double? AbandonRatePercent => Offered == 0 ? null : 100.0 * Abandoned / Offered;

    /// <summary>Average speed of answer; null before any answer.</summary>
    public TimeSpan? AverageSpeedOfAnswer => Answered == 0 ? null : TotalAnsweredWait / Answered;

    /// <summary>Average handle time over the whole period; null before any handled call.</summary>
    public TimeSpan? AverageHandleTime => Handled == 0 ? null : TotalHandleTime / Handled;

    /// <summary>The handle time to plan with now: the rolling estimate, else <see cref="DefaultHandleTime"/>.</summary>
    public TimeSpan EstimatedHandleTime => RollingHandleTime ?? DefaultHandleTime;

    private bool Within(TimeSpan wait) => wait <= TimeSpan.FromSeconds(ServiceLevelSeconds);

    private static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;
}
