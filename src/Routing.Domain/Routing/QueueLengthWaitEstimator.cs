namespace Routing.Domain.Routing;

/// <summary>
/// The queue-length based wait predictor with abandonment correction (Whitt 1999; Ibrahim &amp; Whitt 2009, "QL_m"):
/// a caller with <c>n</c> callers ahead waits for <c>n + 1</c> departures from the queue ahead of it; while <c>j</c>
/// callers are ahead, departures come at rate <c>s·μ + j·θ</c> (an operator frees up, or one of them hangs up), so
/// <c>E[W] = Σ_{j=0..n} 1 / (s·μ + j·θ)</c> with <c>μ = 1 / AHT</c> and <c>θ = 1 / mean patience</c>.
/// With <c>θ = 0</c> it is <see cref="WaitTimeEstimator"/>'s <c>position × AHT / s</c>.
/// </summary>
/// <remarks>It predicts the wait a caller would have if it stayed (its own patience is not counted): the figure to announce.</remarks>
public sealed class QueueLengthWaitEstimator(double abandonRatePerSecond) : WaitTimeEstimator
{
    /// <summary>θ: abandonments per second of waiting of one caller (1 / mean patience); 0 = nobody hangs up.</summary>
    public double AbandonRatePerSecond { get; } = abandonRatePerSecond >= 0 && double.IsFinite(abandonRatePerSecond)
        ? abandonRatePerSecond
        : throw new ArgumentOutOfRangeException(nameof(abandonRatePerSecond), "must be a finite rate, 0 or more");

    public override TimeSpan ExpectedWait(int position, int servingOperators, TimeSpan averageHandleTime) =>
        Predict(position, servingOperators, averageHandleTime, AbandonRatePerSecond);

    /// <param name="position">1 = the next call to be served.</param>
    /// <param name="servingOperators">Operators who could take the call (at least 1 is assumed).</param>
    /// <param name="averageHandleTime">Talk plus wrap-up; zero or less gives a zero wait.</param>
    /// <param name="abandonRatePerSecond">θ = 1 / mean patience of the callers ahead.</param>
    public static TimeSpan Predict(int position, int servingOperators, TimeSpan averageHandleTime, double abandonRatePerSecond)
    {
        var aht = averageHandleTime.TotalSeconds;
        if (aht <= 0) return TimeSpan.Zero;
        var serviceRate = Math.Max(1, servingOperators) / aht;
        var theta = Math.Max(0, abandonRatePerSecond);
        var n = Math.Max(1, position);
        if (theta == 0) return TimeSpan.FromSeconds(n / serviceRate);
        var sum = 0.0;
        for (var j = 0; j < n; j++) sum += 1.0 / (serviceRate + j * theta);
        return TimeSpan.FromSeconds(sum);
    }
}

/// <summary>
/// Estimates a queue's abandonment rate θ from what happened to its callers, for <see cref="QueueLengthWaitEstimator"/>.
/// With exponential patience the maximum-likelihood estimate is <c>abandonments / total time spent waiting</c> by all
/// callers who left the queue (answered callers' waits are censored patience observations). Immutable.
/// </summary>
public readonly record struct AbandonmentRateEstimate(int Abandoned, double WaitingSeconds)
{
    public static readonly AbandonmentRateEstimate None = new(0, 0);

    /// <summary>A caller left the queue after <paramref name="waited"/>: answered, or hung up when <paramref name="abandoned"/>.</summary>
    public AbandonmentRateEstimate Add(TimeSpan waited, bool abandoned) =>
        new(Abandoned + (abandoned ? 1 : 0), WaitingSeconds + Math.Max(0, waited.TotalSeconds));

    /// <summary>θ per second; 0 until some caller has abandoned.</summary>
    public double RatePerSecond => Abandoned == 0 || WaitingSeconds <= 0 ? 0 : Abandoned / WaitingSeconds;
}
