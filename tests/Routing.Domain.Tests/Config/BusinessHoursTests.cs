using Routing.Domain.Config;

namespace Routing.Domain.Tests.Config;

public class BusinessHoursTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static BusinessHours Hours(string zone, TimeOnly open, TimeOnly close, DayOfWeek[]? days = null, params DateOnly[] holidays) =>
        new(zone, [.. (days ?? Weekdays).Select(d => new OpenInterval(d, open, close))], [.. holidays]);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int second = 0) =>
        new(2025, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Opening_hours_are_read_in_the_zone_of_the_hours_Moscow_being_utc_plus_three()
    {
        var h = Hours("Europe/Moscow", new TimeOnly(9, 0), new TimeOnly(18, 0));

        // Monday 3 March 2025.
        Assert.False(h.IsOpen(Utc(3, 3, 5, 59, 59)));
        Assert.True(h.IsOpen(Utc(3, 3, 6, 0)));
        Assert.True(h.IsOpen(Utc(3, 3, 14, 59, 59)));
        Assert.False(h.IsOpen(Utc(3, 3, 15, 0))); // 18:00 Moscow: the close time itself is closed
    }

    [Fact]
    public void The_weekday_is_the_local_one()
    {
        var h = Hours("Europe/Moscow", new TimeOnly(0, 0), new TimeOnly(12, 0), [DayOfWeek.Monday]);

        Assert.True(h.IsOpen(Utc(3, 2, 22, 30))); // Sunday 22:30 UTC is Monday 01:30 in Moscow
        Assert.False(h.IsOpen(Utc(3, 3, 22, 30))); // Monday 22:30 UTC is Tuesday in Moscow
    }

    [Fact]
    public void A_holiday_closes_the_whole_local_day()
    {
        var h = Hours("Europe/Moscow", TimeOnly.MinValue, TimeOnly.MaxValue, Enum.GetValues<DayOfWeek>(), new DateOnly(2025, 3, 8));

        Assert.True(h.IsOpen(Utc(3, 7, 20, 59)));
        Assert.False(h.IsOpen(Utc(3, 7, 21, 0))); // 00:00 on 8 March in Moscow
        Assert.False(h.IsOpen(Utc(3, 8, 20, 59)));
        Assert.True(h.IsOpen(Utc(3, 8, 21, 0)));
    }

    [Fact]
    public void A_close_time_of_24_00_keeps_the_day_open_to_its_last_moment()
    {
        var h = Hours("UTC", new TimeOnly(20, 0), TimeOnly.MaxValue);

        Assert.False(h.IsOpen(Utc(3, 3, 19, 59, 59)));
        Assert.True(h.IsOpen(Utc(3, 3, 23, 59, 59).AddTicks(9_999_999)));
        Assert.False(h.IsOpen(Utc(3, 8, 23, 0))); // Saturday
    }

    [Fact]
    public void Summer_time_is_followed_in_zones_that_have_it()
    {
        var h = Hours("Europe/Berlin", new TimeOnly(9, 0), new TimeOnly(17, 0));

        Assert.True(h.IsOpen(Utc(3, 28, 8, 0))); // Friday, winter time: 09:00 local
        Assert.True(h.IsOpen(Utc(3, 31, 7, 0))); // Monday, summer time: 09:00 local
        Assert.False(h.IsOpen(Utc(3, 31, 15, 0))); // 17:00 local
    }

    [Fact]
    public void Always_open_is_open_at_any_moment()
    {
        Assert.True(BusinessHours.AlwaysOpen.IsOpen(Utc(12, 25, 3, 0)));
        Assert.True(BusinessHours.AlwaysOpen.IsOpen(Utc(6, 1, 23, 59, 59)));
    }
}
