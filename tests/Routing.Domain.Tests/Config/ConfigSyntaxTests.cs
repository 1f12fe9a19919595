using Routing.Domain.Config;

namespace Routing.Domain.Tests.Config;

public class ConfigSyntaxTests
{
    [Theory]
    [InlineData("30", 30)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h", 3600)]
    [InlineData("1m30s", 90)]
    [InlineData("1h 2m 3s", 3723)]
    [InlineData("90s", 90)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("-5s", -5)]
    [InlineData(" 20s ", 20)]
    [InlineData("2min", 120)]
    public void Durations_are_read_in_seconds(string text, int seconds) =>
        Assert.Equal(seconds, ConfigSyntax.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("ten")]
    [InlineData("1.5m")]
    [InlineData("30m1h")]
    [InlineData("1d")]
    [InlineData("99999999999")]
    public void Malformed_durations_are_refused(string text) => Assert.Null(ConfigSyntax.ParseDuration(text));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(20, "20s")]
    [InlineData(60, "1m")]
    [InlineData(90, "1m30s")]
    [InlineData(3600, "1h")]
    [InlineData(5400, "1h30m")]
    [InlineData(3723, "1h2m3s")]
    public void Durations_are_written_the_way_people_write_them(int seconds, string text)
    {
        Assert.Equal(text, ConfigSyntax.FormatDuration(seconds));
        Assert.Equal(seconds, ConfigSyntax.ParseDuration(text));
    }

    [Theory]
    [InlineData("80% in 20s", 80, 20)]
    [InlineData("95.5% within 1m", 95.5, 60)]
    [InlineData("80 % in 20", 80, 20)]
    [InlineData("100% in 0s", 100, 0)]
    public void Service_levels_are_read(string text, double percent, int seconds) =>
        Assert.Equal((percent, seconds), ConfigSyntax.ParseServiceLevel(text));

    [Theory]
    [InlineData("80%")]
    [InlineData("80 in 20s")]
    [InlineData("80% in soon")]
    [InlineData("eighty% in 20s")]
    public void Malformed_service_levels_are_refused(string text) => Assert.Null(ConfigSyntax.ParseServiceLevel(text));

    [Fact]
    public void Service_level_is_written_back_in_the_same_syntax()
    {
        Assert.Equal("80% in 20s", ConfigSyntax.FormatServiceLevel(new ServiceLevelTarget(80, 20)));
        Assert.Equal("95.5% in 1m", ConfigSyntax.FormatServiceLevel(new ServiceLevelTarget(95.5, 60)));
    }

    [Fact]
    public void Service_level_and_defaults_in_a_queue_match_QueueConfig_Create()
    {
        var t = ConfigLoader.ParseQueue(new TenantId("t"), "id: q", "q.yaml");
        ShouldEqual(QueueConfig.Create(QueueId.Of(new TenantId("t"), "q")), t);

        var custom = ConfigLoader.ParseQueue(new TenantId("t"), "{ id: q, serviceLevel: 90% in 1m }", "q.yaml");
        Assert.Equal(new ServiceLevelTarget(90, 60), custom.ServiceLevel);

        static void ShouldEqual(QueueConfig a, QueueConfig b) => ConfigTestKit.AssertSameModel(a, b);
    }

    [Theory]
    [InlineData("longest-idle", RoutingStrategy.LongestIdle)]
    [InlineData("round-robin", RoutingStrategy.RoundRobin)]
    [InlineData("fewest-calls", RoutingStrategy.FewestCalls)]
    [InlineData("least-talk-time", RoutingStrategy.LeastTalkTime)]
    [InlineData("top-down", RoutingStrategy.TopDown)]
    [InlineData("best-skill", RoutingStrategy.BestSkill)]
    [InlineData("Best-Skill", RoutingStrategy.BestSkill)]
    public void Strategies_have_kebab_case_names(string name, RoutingStrategy strategy)
    {
        Assert.Equal(strategy, ConfigSyntax.ParseStrategy(name));
        Assert.Equal(name.ToLowerInvariant(), ConfigSyntax.StrategyName(strategy));
    }

    [Theory]
    [InlineData("mon", new[] { DayOfWeek.Monday })]
    [InlineData("mon-fri", new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })]
    [InlineData("sat,sun", new[] { DayOfWeek.Saturday, DayOfWeek.Sunday })]
    [InlineData("fri-mon", new[] { DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Monday })]
    [InlineData("Mon, Wed", new[] { DayOfWeek.Monday, DayOfWeek.Wednesday })]
    public void Day_specs_are_read(string text, DayOfWeek[] days) => Assert.Equal(days, ConfigSyntax.ParseDays(text));

    [Fact]
    public void Daily_means_every_day_and_unknown_names_are_refused()
    {
        Assert.Equal(7, ConfigSyntax.ParseDays("daily")!.Value.Length);
        Assert.Null(ConfigSyntax.ParseDays("monday"));
        Assert.Null(ConfigSyntax.ParseDays("mon-xyz"));
    }

    [Theory]
    [InlineData(new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }, "mon-fri")]
    [InlineData(new[] { DayOfWeek.Saturday, DayOfWeek.Sunday }, "sat,sun")]
    [InlineData(new[] { DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Friday }, "mon,wed,fri")]
    [InlineData(new[] { DayOfWeek.Sunday, DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday }, "mon-sun")]
    public void Day_sets_are_written_compactly(DayOfWeek[] days, string text)
    {
        Assert.Equal(text, ConfigSyntax.FormatDays(days));
        Assert.Equal(days.Order(), ConfigSyntax.ParseDays(text)!.Value.Order());
    }

    [Fact]
    public void Intervals_accept_24_00_as_end_of_day()
    {
        Assert.Equal((new TimeOnly(8, 0), new TimeOnly(18, 30)), ConfigSyntax.ParseInterval("08:00-18:30"));
        Assert.Equal((new TimeOnly(9, 0), TimeOnly.MaxValue), ConfigSyntax.ParseInterval("9:00 - 24:00"));
        Assert.Null(ConfigSyntax.ParseInterval("24:00-24:00"));
        Assert.Null(ConfigSyntax.ParseInterval("08:00-24:30"));
        Assert.Equal("00:00-24:00", ConfigSyntax.FormatInterval(new OpenInterval(DayOfWeek.Monday, TimeOnly.MinValue, TimeOnly.MaxValue)));
    }

    [Theory]
    [InlineData("apikey", "apiKey")]
    [InlineData("wrapup", "wrapUp")]
    [InlineData("serviceLevl", "serviceLevel")]
    [InlineData("tenant", "tenants")]
    [InlineData("overflwo", "overflow")]
    public void Suggestions_catch_typos(string given, string expected) =>
        Assert.Equal(expected, ConfigSyntax.Suggest(given, ["apiKey", "wrapUp", "serviceLevel", "tenants", "overflow", "hours"]));

    [Fact]
    public void No_suggestion_for_unrelated_words() =>
        Assert.Null(ConfigSyntax.Suggest("colour", ["apiKey", "wrapUp", "numbers", "closed"]));

    [Fact]
    public void Iana_time_zones_are_known()
    {
        Assert.True(ConfigSyntax.IsKnownTimeZone("Europe/Berlin"));
        Assert.True(ConfigSyntax.IsKnownTimeZone("UTC"));
        Assert.False(ConfigSyntax.IsKnownTimeZone("Mars/Olympus"));
    }
}
