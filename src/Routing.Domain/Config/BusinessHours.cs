using System.Collections.Immutable;

namespace Routing.Domain.Config;

/// <summary>One opening interval on a weekday, local time of the hours' time zone. Close may be 24:00 (TimeOnly.MaxValue).</summary>
public sealed record OpenInterval(DayOfWeek Day, TimeOnly Open, TimeOnly Close);

/// <summary>Weekly opening hours in a time zone, with holidays when closed all day.</summary>
public sealed record BusinessHours(string TimeZone, ImmutableArray<OpenInterval> Weekly, ImmutableArray<DateOnly> Holidays)
{
    public static readonly BusinessHours AlwaysOpen = new("UTC",
        [.. Enum.GetValues<DayOfWeek>().Select(d => new OpenInterval(d, TimeOnly.MinValue, TimeOnly.MaxValue))], []);

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public bool IsOpen(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (Holidays.Contains(date)) return false;
        var time = TimeOnly.FromDateTime(local.DateTime);
        foreach (var i in Weekly)
        {
            if (i.Day != local.DayOfWeek) continue;
            if (time >= i.Open && (time < i.Close || i.Close == TimeOnly.MaxValue)) return true;
        }
        return false;
    }
}
