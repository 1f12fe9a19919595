using Routing.Domain.Config;
using static Routing.Domain.Tests.Config.ConfigTestKit;

namespace Routing.Domain.Tests.Config;

/// <summary>Every class of mistake is reported with file, line and column, and all mistakes are reported at once.</summary>
public class ConfigErrorTests
{
    /// <summary>A small valid configuration the tests below break in one place.</summary>
    private const string Valid = """
        provider:
          adminKey: admin
        operators:
          - id: "1"
            name: Ann
            password: pw1
            tier: 1
            wrapUp: 10s
            tenants: [t1]
            skills: { sales: 5 }
        tenants:
          - id: t1
            name: T One
            numbers: ["100"]
            defaultQueue: sales
            queues:
              - id: sales
                requires: { sales: 1 }
        """;

    private static string Break(string find, string replace)
    {
        Assert.Contains(find, Valid);
        return Valid.Replace(find, replace);
    }

    [Fact]
    public void The_valid_base_loads()
    {
        var report = ConfigLoader.Check(Valid, "t.yaml");
        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Message_lists_errors_as_file_line_col_lines()
    {
        var yaml = Break("tier: 1", "tier: 7");
        var ex = Fails(yaml);
        // "    tier: 7": line 7, value at column 11.
        Assert.Equal("t.yaml:7:11: 'tier' must be from 1 to 3, not 7", ex.Message);
        var e = Assert.Single(ex.Errors);
        Assert.Equal(("t.yaml", 7, 11), (e.Source, e.Line, e.Column));
    }

    // ------------------------------------------------------------ unknown keys

    [Theory]
    [InlineData("wrapUp: 10s", "wrapup: 10s", "unknown key 'wrapup' in operator; did you mean 'wrapUp'?")]
    [InlineData("numbers: [\"100\"]", "numbres: [\"100\"]", "did you mean 'numbers'?")]
    [InlineData("requires: { sales: 1 }", "require: { sales: 1 }", "did you mean 'requires'?")]
    [InlineData("adminKey: admin", "adminkey: admin", "did you mean 'adminKey'?")]
    [InlineData("defaultQueue: sales", "colour: blue", "unknown key 'colour' in tenant; known keys: id, name")]
    public void Unknown_keys_are_reported_with_a_suggestion(string find, string replace, string words)
    {
        var yaml = Break(find, replace);
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, replace, words);
    }

    [Fact]
    public void Unknown_top_level_section_is_reported()
    {
        var yaml = Valid + "\ntenant:\n  - id: x\n";
        ErrorAt(Fails(yaml), yaml, "tenant:", "did you mean 'tenants'?");
    }

    // ------------------------------------------------------------ types

    [Theory]
    [InlineData("tier: 1", "tier: first", "'tier' must be a whole number from 1 to 3, not 'first'")]
    [InlineData("skills: { sales: 5 }", "skills: [sales]", "'skills' must be a mapping")]
    [InlineData("numbers: [\"100\"]", "numbers: \"100\"", "'numbers' must be a list")]
    [InlineData("tenants: [t1]", "tenants: t1", "'tenants' must be a list")]
    [InlineData("name: Ann", "name: { first: Ann }", "'name' must be text, not a mapping")]
    [InlineData("wrapUp: 10s", "wrapUp: ten seconds", "'wrapUp' must be a duration such as 30s")]
    [InlineData("requires: { sales: 1 }", "requires: { sales: high }", "minimum level of skill 'sales' must be a whole number")]
    public void Wrong_types_are_reported_at_the_value(string find, string replace, string words)
    {
        var yaml = Break(find, replace);
        ErrorAt(Fails(yaml), yaml, replace, words);
    }

    // ------------------------------------------------------------ missing fields

    [Fact]
    public void Missing_password_is_reported_at_the_operator()
    {
        var yaml = Break("    password: pw1\n", "");
        ErrorAt(Fails(yaml), yaml, "- id: \"1\"", "operator has no 'password'");
    }

    [Fact]
    public void Missing_ids_are_reported_at_the_object()
    {
        var yaml = Break("      - id: sales", "      - name: Sales");
        ErrorAt(Fails(yaml), yaml, "- name: Sales", "queue has no 'id'");
    }

    [Fact]
    public void Menu_without_prompt_is_reported()
    {
        var yaml = Break("    defaultQueue: sales", "    menu:\n      options: { \"1\": { queue: sales } }");
        ErrorAt(Fails(yaml), yaml, "    menu:", "menu has no 'prompt'");
    }

    // ------------------------------------------------------------ ranges

    [Theory]
    [InlineData("skills: { sales: 5 }", "skills: { sales: 11 }", "skill 'sales' must be from 1 to 10, not 11")]
    [InlineData("skills: { sales: 5 }", "skills: { sales: 0 }", "from 1 to 10, not 0")]
    [InlineData("tier: 1", "tier: 4", "'tier' must be from 1 to 3, not 4")]
    [InlineData("wrapUp: 10s", "wrapUp: -5s", "'wrapUp' must not be negative")]
    [InlineData("wrapUp: 10s", "wrapUp: -5", "'wrapUp' must not be negative")]
    [InlineData("requires: { sales: 1 }", "serviceLevel: 120% in 20s", "service-level percent must be from 0 to 100, not 120")]
    [InlineData("requires: { sales: 1 }", "ringTimeout: 0s", "'ringTimeout' must be at least 1s")]
    [InlineData("requires: { sales: 1 }", "tiers: [1, 5]", "a tier must be from 1 to 3, not 5")]
    [InlineData("requires: { sales: 1 }", "weight: 0", "'weight' must be more than 0")]
    [InlineData("requires: { sales: 1 }", "maxWaiting: 0", "'maxWaiting' must be from 1 to")]
    public void Out_of_range_values_are_reported(string find, string replace, string words)
    {
        var yaml = Break(find, replace);
        ErrorAt(Fails(yaml), yaml, replace, words);
    }

    // ------------------------------------------------------------ duplicates

    [Fact]
    public void A_number_mapped_to_two_tenants_is_reported_at_the_second()
    {
        var yaml = Valid + """

              - id: t2
                numbers: ["200", "100"]
                queues: [ { id: q } ]
            """;
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, "numbers: [\"200\", \"100\"]", "number '100' is already used by tenant 't1'");
        Assert.Single(ex.Errors);
    }

    [Fact]
    public void Duplicate_tenant_operator_and_queue_ids_are_reported()
    {
        var yaml = """
            operators:
              - { id: "1", password: a, tenants: [t1] }
              - { id: "1", password: b, tenants: [t1] }
            tenants:
              - id: t1
                numbers: ["100"]
                defaultQueue: q
                queues: [ { id: q }, { id: q, name: again } ]
              - { id: t1, numbers: ["101"] }
            """;
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, "password: b", "operator id '1' is used twice");
        ErrorAt(ex, yaml, "name: again", "queue id 'q' is used twice in tenant 't1'");
        ErrorAt(ex, yaml, "numbers: [\"101\"]", "tenant id 't1' is used twice");
        Assert.Equal(3, ex.Errors.Length);
    }

    [Fact]
    public void A_key_written_twice_in_one_mapping_is_reported_at_the_second()
    {
        var yaml = Break("    tier: 1", "    tier: 1\n    tier: 2");
        ErrorAt(Fails(yaml), yaml, "tier: 2", "the key tier is written twice");
    }

    [Fact]
    public void Tenants_may_not_share_api_keys_nor_use_the_admin_key()
    {
        var yaml = """
            provider: { adminKey: k0 }
            tenants:
              - { id: a, numbers: ["1"], apiKey: k1, queues: [ { id: q } ] }
              - { id: b, numbers: ["2"], apiKey: k1, queues: [ { id: q } ] }
              - { id: c, numbers: ["3"], apiKey: k0, queues: [ { id: q } ] }
            """;
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, "id: b", "already the key of tenant 'a'");
        ErrorAt(ex, yaml, "id: c", "has the provider's adminKey");
        Assert.DoesNotContain("k1", ex.Message);
    }

    // ------------------------------------------------------------ references

    [Fact]
    public void Menu_option_to_an_unknown_queue_is_an_error_with_a_suggestion()
    {
        var yaml = Break("    defaultQueue: sales", """
                menu:
                  prompt: Press 1
                  options:
                    "1": { queue: sale }
            """);
        ErrorAt(Fails(yaml), yaml, "queue: sale }", "queue 'sale', which is not a queue of tenant 't1' (did you mean 'sales'?)");
    }

    [Fact]
    public void Operator_serving_an_unknown_tenant_is_an_error()
    {
        var yaml = Break("tenants: [t1]", "tenants: [t1, t9]");
        var ex = Fails(yaml);
        var e = ErrorAt(ex, yaml, "tenants: [t1, t9]", "serves tenant 't9', which does not exist");
        Assert.Equal(yaml.Split('\n')[e.Line - 1].IndexOf("t9", StringComparison.Ordinal) + 1, e.Column);
    }

    [Fact]
    public void Overflow_and_default_queue_to_unknown_queues_are_errors()
    {
        var yaml = Break("        requires: { sales: 1 }", "        requires: { sales: 1 }\n        overflow: [ { after: 2m, queue: nowhere } ]")
            .Replace("defaultQueue: sales", "defaultQueue: sails");
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, "queue: nowhere", "overflow goes to queue 'nowhere', which is not a queue of tenant 't1'");
        ErrorAt(ex, yaml, "defaultQueue: sails", "defaultQueue 'sails' is not a queue of tenant 't1' (did you mean 'sales'?)");
    }

    [Fact]
    public void A_skill_no_operator_holds_is_a_warning_not_an_error()
    {
        var yaml = Break("requires: { sales: 1 }", "requires: { sales: 1, french: 3 }");
        var report = ConfigLoader.Check(yaml, "t.yaml");
        Assert.Empty(report.Errors);
        var w = Assert.Single(report.Warnings);
        Assert.Equal(LineOf(yaml, "french"), w.Line);
        Assert.Contains("requires skill 'french', which no operator of tenant 't1' has", w.Message);
        Assert.StartsWith($"t.yaml:{w.Line}:", w.ToString());
        Assert.Contains("warning:", w.ToString());
        Assert.NotNull(ConfigLoader.Parse(yaml, "t.yaml")); // warnings do not stop loading
    }

    // ------------------------------------------------------------ menus

    [Theory]
    [InlineData("\"10\": { queue: sales }", "'10' is not a phone key")]
    [InlineData("a: { queue: sales }", "'a' is not a phone key")]
    [InlineData("\"1\": { back: true }", "'back' only works in a sub-menu")]
    [InlineData("\"1\": { queue: sales, info: hi }", "several targets (queue, info)")]
    [InlineData("\"1\": { info: \"\" }", "'info' must not be empty")]
    [InlineData("\"1\": { external: reception }", "'reception' is not a SIP address")]
    public void Menu_options_are_checked(string option, string words)
    {
        var yaml = Break("    defaultQueue: sales", $"    menu:\n      prompt: Hello\n      options:\n        {option}");
        ErrorAt(Fails(yaml), yaml, option, words);
    }

    [Fact]
    public void Star_and_hash_keys_work_when_quoted_and_back_works_in_sub_menus()
    {
        var yaml = Break("    defaultQueue: sales", """
                menu:
                  prompt: Hello
                  options:
                    "*": { menu: { prompt: Sub, options: { "#": { back: true }, "0": { queue: sales } } } }
                    "#": { info: Bye }
            """);
        var menu = ConfigLoader.Parse(yaml, "t.yaml").Tenants[0].Menu!;
        var sub = Assert.IsType<MenuAction.SubMenu>(menu.Options['*']).Menu;
        Assert.IsType<MenuAction.Back>(sub.Options['#']);
        Assert.Equal(new MenuAction.Info("Bye"), menu.Options['#']);
        Assert.Equal(5, sub.TimeoutSeconds);
        Assert.Equal(2, sub.MaxRetries);
    }

    // ------------------------------------------------------------ hours

    [Fact]
    public void Unknown_time_zone_is_reported_with_a_suggestion()
    {
        var yaml = Break("    defaultQueue: sales", "    defaultQueue: sales\n    hours: { timeZone: Europe/Berln, weekly: { mon-fri: \"08:00-18:00\" } }");
        ErrorAt(Fails(yaml), yaml, "Europe/Berln", "unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)");
    }

    [Theory]
    [InlineData("{ mon-fri: \"18:00-08:00\" }", "closes before it opens")]
    [InlineData("{ mon-fri: \"08:00-12:00, 11:00-14:00\" }", "overlaps")]
    [InlineData("{ mon-fri: \"8-18\" }", "is not an opening interval")]
    [InlineData("{ mon-fri: \"08:00-25:00\" }", "is not an opening interval")]
    [InlineData("{ monday: \"08:00-18:00\" }", "'monday' is not a day")]
    [InlineData("{ mon-fri: \"08:00-18:00\", fri: \"09:00-10:00\" }", "'fri' is given twice (also in 'mon-fri')")]
    public void Weekly_hours_are_checked(string weekly, string words)
    {
        var yaml = Break("    defaultQueue: sales", $"    defaultQueue: sales\n    hours:\n      timeZone: UTC\n      weekly: {weekly}");
        ErrorAt(Fails(yaml), yaml, "weekly:", words);
    }

    [Fact]
    public void Hours_read_into_sorted_intervals_with_holidays()
    {
        var yaml = Break("    defaultQueue: sales", """
                defaultQueue: sales
                hours:
                  timeZone: Europe/Berlin
                  weekly: { sat: "10:00-14:00", mon-fri: ["08:00-12:00", "13:00-18:00"], sun: "00:00-24:00" }
                  holidays: [2026-12-26, "2026-12-25"]
                closed: { queue: sales }
            """);
        var t = ConfigLoader.Parse(yaml, "t.yaml").Tenants[0];
        var h = t.Hours!;
        Assert.Equal(12, h.Weekly.Length); // mon-fri twice a day, sat, sun
        Assert.Equal(new OpenInterval(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), h.Weekly[0]);
        Assert.Equal(new OpenInterval(DayOfWeek.Sunday, TimeOnly.MinValue, TimeOnly.MaxValue), h.Weekly[^1]);
        Assert.Equal([new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 26)], h.Holidays.AsEnumerable());
        Assert.Equal(new ClosedRule.ToQueue(QueueId.Of(new TenantId("t1"), "sales")), t.Closed);
        // Wednesday 2026-12-23, 12:30 in Berlin is lunch; 13:30 is open; Christmas is closed.
        Assert.False(h.IsOpen(new DateTimeOffset(2026, 12, 23, 11, 30, 0, TimeSpan.Zero)));
        Assert.True(h.IsOpen(new DateTimeOffset(2026, 12, 23, 12, 30, 0, TimeSpan.Zero)));
        Assert.False(h.IsOpen(new DateTimeOffset(2026, 12, 25, 12, 30, 0, TimeSpan.Zero)));
    }

    // ------------------------------------------------------------ overflow and pools

    private const string TwoTenants = """
        operators:
          - { id: "1", password: a, tenants: [a, b] }
        tenants:
          - id: a
            numbers: ["1"]
            queues:
              - id: q
                overflow: [ { whenNoOperators: true, queue: b/help } ]
          - id: b
            numbers: ["2"]
            queues: [ { id: help } ]
        """;

    [Fact]
    public void Overflow_to_another_tenants_queue_needs_a_shared_pool()
    {
        var ex = Fails(TwoTenants);
        ErrorAt(ex, TwoTenants, "queue: b/help", "tenants 'a' and 'b' are not in one shared pool");
    }

    [Fact]
    public void Overflow_to_another_tenants_queue_works_within_a_shared_pool()
    {
        var yaml = "pools:\n  - { id: shared, tenants: [a, b] }\n" + TwoTenants;
        var config = ConfigLoader.Parse(yaml, "t.yaml");
        var rule = Assert.Single(config.FindTenant(new TenantId("a"))!.Queues[0].Overflow);
        Assert.True(rule.WhenNoOperators);
        Assert.Null(rule.AfterSeconds);
        Assert.Equal(new OverflowTarget.ToQueue(new QueueId("b/help")), rule.Target);
        Assert.Equal(new PoolId("shared"), config.PoolOf(new TenantId("b")));
    }

    [Fact]
    public void Pools_are_checked()
    {
        var yaml = """
            pools:
              - { id: p1, tenants: [a, b] }
              - { id: p2, tenants: [b, zz] }
              - { id: a, tenants: [c] }
            tenants:
              - { id: a, numbers: ["1"], queues: [ { id: q } ] }
              - { id: b, numbers: ["2"], queues: [ { id: q } ] }
              - { id: c, numbers: ["3"], queues: [ { id: q } ] }
            """;
        var ex = Fails(yaml);
        ErrorAt(ex, yaml, "id: p2", "tenant 'b' is already in pool 'p1'");
        ErrorAt(ex, yaml, "id: p2", "lists tenant 'zz', which does not exist");
        ErrorAt(ex, yaml, "id: a, tenants: [c]", "pool id 'a' is the id of tenant 'a'");
    }

    [Theory]
    [InlineData("{ after: 1m }", "overflow rule needs a target")]
    [InlineData("{ queue: sales }", "overflow rule needs a trigger")]
    [InlineData("{ after: 1m, whenNoOperators: true, tier: 2 }", "both 'after' and 'whenNoOperators'")]
    [InlineData("{ after: 1m, tier: 2, external: \"sip:x@y\" }", "several targets (tier, external)")]
    [InlineData("{ after: 1m, queue: sales }", "overflows to itself")]
    [InlineData("{ after: 1m, tier: 0 }", "'tier' must be from 1 to 3")]
    public void Overflow_rules_are_checked(string rule, string words)
    {
        var yaml = Break("        requires: { sales: 1 }", $"        requires: {{ sales: 1 }}\n        overflow:\n          - {rule}");
        ErrorAt(Fails(yaml), yaml, rule, words);
    }

    // ------------------------------------------------------------ collection of all errors

    [Fact]
    public void A_file_with_three_mistakes_reports_three_errors_in_line_order()
    {
        var yaml = Valid
            .Replace("tier: 1", "tier: 9")                          // out of range
            .Replace("numbers: [\"100\"]", "numbrs: [\"100\"]")     // unknown key
            .Replace("requires: { sales: 1 }", "requires: { sales: 1 }\n        strategy: fastest"); // unknown strategy
        var ex = Fails(yaml);
        Assert.Equal(3, ex.Errors.Length);
        Assert.Equal(3, ex.Message.Split('\n').Length);
        Assert.Equal(
            [LineOf(yaml, "tier: 9"), LineOf(yaml, "numbrs"), LineOf(yaml, "fastest")],
            ex.Errors.Select(e => e.Line));
        Assert.All(ex.Message.Split('\n'), l => Assert.Matches(@"^t\.yaml:\d+:\d+: ", l));
    }

    [Fact]
    public void Mistakes_in_several_objects_are_all_reported()
    {
        var yaml = """
            operators:
              - { id: "1", password: a, tenants: [t], tier: 5 }
              - { id: "2", tenants: [t], skills: { x: 20 } }
              - { id: "bad id", password: c, tenants: [nope] }
            tenants:
              - id: t
                numbers: ["1", "x y"]
                language: english
                queues:
                  - { id: q, strategy: random, serviceLevel: "most calls quickly" }
            """;
        var ex = Fails(yaml);
        var lines = ex.Errors.Select(e => e.Line).ToList();
        Assert.Equal(lines.Order(), lines);
        Assert.Contains(ex.Errors, e => e.Message.Contains("'tier' must be from 1 to 3, not 5"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("operator has no 'password'"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("skill 'x' must be from 1 to 10, not 20"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'bad id' is not a valid id"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'x y' is not a dialled number"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'english' is not a language code"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("unknown strategy 'random'"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("is not a service level"));
        Assert.Equal(8, ex.Errors.Length);
    }

    // ------------------------------------------------------------ YAML syntax

    [Fact]
    public void Yaml_syntax_errors_name_the_line()
    {
        var yaml = Break("    tier: 1", "    tier: 1\n   wrong: indent");
        var ex = Fails(yaml);
        var e = Assert.Single(ex.Errors);
        Assert.InRange(e.Line, LineOf(yaml, "tier: 1"), LineOf(yaml, "wrong: indent"));
        Assert.StartsWith($"t.yaml:{e.Line}:", ex.Message);
    }

    [Fact]
    public void An_unclosed_bracket_is_located()
    {
        var yaml = Break("tenants: [t1]", "tenants: [t1");
        var ex = Fails(yaml);
        var e = Assert.Single(ex.Errors);
        Assert.Equal(LineOf(yaml, "tenants: [t1"), e.Line);
        Assert.Contains("not closed", e.Message);
    }

    [Fact]
    public void Tabs_for_indentation_are_located()
    {
        var yaml = Break("    tier: 1", "\ttier: 1");
        var e = Assert.Single(Fails(yaml).Errors);
        Assert.Equal(LineOf(yaml, "\ttier"), e.Line);
        Assert.Contains("tab", e.Message);
    }

    [Fact]
    public void Unquoted_star_key_gives_a_located_error()
    {
        var yaml = Break("    defaultQueue: sales", "    menu:\n      prompt: Hi\n      options:\n        *: { queue: sales }");
        var e = Assert.Single(Fails(yaml).Errors);
        Assert.Equal(LineOf(yaml, "*: { queue"), e.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    public void Empty_file_is_an_error(string text)
    {
        var e = Assert.Single(Fails(text).Errors);
        Assert.Equal(1, e.Line);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Root_must_be_a_mapping_and_version_must_be_1()
    {
        Assert.Contains("must be a mapping", Fails("- a\n- b\n").Message);
        var ex = Fails("version: 2\n" + Valid);
        Assert.Equal("t.yaml:1:10: unknown format version 2: this program reads version 1", ex.Message);
    }

    [Fact]
    public void Missing_file_is_reported_as_a_config_error()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile("/nonexistent/routing.yaml"));
        Assert.StartsWith("/nonexistent/routing.yaml: cannot read", ex.Message);
    }

    [Fact]
    public void A_single_queue_is_the_default_and_several_need_a_choice()
    {
        var one = Valid.Replace("    defaultQueue: sales\n", "");
        Assert.Equal("sales", ConfigLoader.Parse(one, "t.yaml").Tenants[0].DefaultQueue);

        var two = one.Replace("        requires: { sales: 1 }", "        requires: { sales: 1 }\n      - id: other");
        ErrorAt(Fails(two), two, "  - id: t1", "has neither a menu nor a defaultQueue");
    }
}
