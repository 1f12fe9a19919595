namespace Routing.Domain.Routing;

/// <summary>
/// Turns a caller's position in the pool into an expected wait. Deliberately simple today:
/// <c>position × AHT / max(1, serving operators)</c>, i.e. every operator who could take the call frees up once per
/// average handle time and the callers ahead are served one per freed operator. It ignores abandonment (callers
/// ahead who hang up shorten the wait) and the time already spent by operators on their current calls; the
/// simulator work will refine it here, so that callers of <see cref="PoolMatcher.Estimate"/> need not change.
/// </summary>
public class WaitTimeEstimator
{
    public static WaitTimeEstimator Default { get; } = new();

    /// <param name="position">1 = the next call to be served.</param>
    /// <param name="servingOperators">Logged-in operators (any status) that fit the call.</param>
    /// <param name="averageHandleTime">Average handle time of the queue (talk plus wrap-up).</param>
    public virtual TimeSpan ExpectedWait(int position, int servingOperators, TimeSpan averageHandleTime) =>
        averageHandleTime * Math.Max(1, position) / Math.Max(1, servingOperators);

    public WaitEstimate Estimate(int position, int servingOperators, TimeSpan averageHandleTime) =>
        new(position, ExpectedWait(position, servingOperators, averageHandleTime), servingOperators);
}
