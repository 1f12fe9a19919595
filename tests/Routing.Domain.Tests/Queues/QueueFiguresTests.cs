using Routing.Domain.Queues;

namespace Routing.Domain.Tests.Queues;

public class QueueFiguresTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Service_level_is_answered_within_target_over_answered_plus_abandoned_after_target()
    {
        var f = QueueFigures.Empty(serviceLevelSeconds: 20)
            .CountAnswered(S(5))
            .CountAnswered(S(20)) // exactly on target counts as within
            .CountAnswered(S(45))
            .CountAbandoned(S(3)) // abandoned within the target: left out
            .CountAbandoned(S(60));

        Assert.Equal(2, f.AnsweredWithinServiceLevel);
        Assert.Equal(1, f.AbandonedAfterServiceLevel);
        Assert.Equal(50.0, f.ServiceLevelPercent); // 2 / (3 + 1)
    }

    [Fact]
    public void Service_level_is_unknown_until_a_call_counts()
    {
        var f = QueueFigures.Empty().CountOffered().CountAbandoned(S(2)).CountOverflowed();

        Assert.Null(f.ServiceLevelPercent);
        Assert.Equal(1, f.Offered);
        Assert.Equal(1, f.Overflowed);
        Assert.Equal(100.0, f.AbandonRatePercent);
    }

    [Fact]
    public void Average_speed_of_answer_and_handle_time_are_totals_over_counts()
    {
        var f = QueueFigures.Empty()
            .CountAnswered(S(10)).CountAnswered(S(30))
            .CountHandled(S(100)).CountHandled(S(200)).CountHandled(S(300));

        Assert.Equal(S(20), f.AverageSpeedOfAnswer);
        Assert.Equal(S(200), f.AverageHandleTime);
        Assert.Equal(S(40), f.TotalAnsweredWait);
        Assert.Equal(S(600), f.TotalHandleTime);
    }

    [Fact]
    public void Figures_are_immutable_each_count_returns_a_new_instance()
    {
        var empty = QueueFigures.Empty();
        var one = empty.CountOffered();

        Assert.Equal(0, empty.Offered);
        Assert.Equal(1, one.Offered);
        Assert.Null(empty.AverageSpeedOfAnswer);
        Assert.Null(empty.AverageHandleTime);
    }

    [Fact]
    public void The_handle_time_estimate_is_180_seconds_before_any_call()
    {
        Assert.Equal(S(180), QueueFigures.Empty().EstimatedHandleTime);
    }

    [Fact]
    public void The_handle_time_estimate_averages_the_first_calls_then_follows_the_recent_ones()
    {
        var f = QueueFigures.Empty().CountHandled(S(100)).CountHandled(S(300));
        Assert.Equal(200, f.EstimatedHandleTime.TotalSeconds, tolerance: 1e-6);

        for (var i = 0; i < 200; i++) f = f.CountHandled(S(60));

        Assert.Equal(60, f.EstimatedHandleTime.TotalSeconds, tolerance: 0.01); // the early long calls are forgotten
        Assert.True(f.AverageHandleTime > S(60)); // while the period's AHT still remembers them
    }

    [Fact]
    public void Adding_periods_sums_the_counts()
    {
        var a = QueueFigures.Empty().CountOffered().CountAnswered(S(10));
        var b = QueueFigures.Empty().CountOffered().CountAbandoned(S(50)).CountHandled(S(90));

        var sum = a.Add(b);

        Assert.Equal(2, sum.Offered);
        Assert.Equal(50.0, sum.ServiceLevelPercent);
        Assert.Equal(S(90), sum.EstimatedHandleTime);
    }
}
