using Routing.Domain.Config;
using static Routing.Domain.Tests.Config.ConfigTestKit;

namespace Routing.Domain.Tests.Config;

/// <summary>What the writer produces (for GET responses and persisting) loads back into an equal model.</summary>
public class ConfigRoundTripTests
{
    /// <summary>Uses every feature of the format at least once.</summary>
    private const string Rich = """
        version: 1
        provider: { adminKey: "admin: with colon" }
        pools:
          - { id: shared, tenants: [a, b] }
        operators:
          - { id: "1", name: "Ann O'Neil", password: "p#1 *x", tier: 3, wrapUp: 1h30m, tenants: [a, b], skills: { sales: 10, de: 1 } }
          - { id: op.2, password: "007", tenants: [c] }
        tenants:
          - id: a
            name: "A: the first"
            language: pt-BR
            apiKey: "123"
            numbers: ["+4930123", "0100", "1e5"]
            hours:
              timeZone: Europe/Berlin
              weekly: { mon-fri: "08:00-12:00, 13:00-18:00", sat: "10:00-14:00", sun: "00:00-24:00" }
              holidays: [2026-12-25, 2027-01-01]
            closed: { external: "sip:night@a.example" }
            menu:
              prompt: "Line one\nline two: \"quoted\""
              timeout: 7s
              retries: 0
              onTimeout: { external: "sip:op@a.example" }
              options:
                "1": { queue: q1 }
                "0": { menu: { prompt: Sub, timeout: 3, retries: 1, onTimeout: { queue: q2 }, options: { "*": { back: true }, "#": { info: "true" } } } }
                "*": { info: "null" }
                "#": { external: "tel:+4930999" }
            defaultQueue: q2
            queues:
              - id: q1
                name: First queue
                priority: 7
                weight: 0.25
                serviceLevel: 95.5% in 1m
                strategy: least-talk-time
                requires: { sales: 5, de: 2 }
                relax:
                  - { after: 30s, requires: { sales: 3 } }
                  - { after: 2m, requires: {} }
                tiers: [2, 1]
                ringTimeout: 12s
                noAnswerPause: 0s
                maxWaiting: 3
                overflow:
                  - { after: 0, tier: 3 }
                  - { after: 10m, queue: b/help }
                  - { whenNoOperators: true, external: "sip:overflow@partner.example" }
                hours: { timeZone: UTC, weekly: { daily: "06:00-22:00" } }
                closed: { queue: q2 }
              - { id: q2, closed: { message: "yes" } }
          - id: b
            numbers: ["200"]
            closed: { queue: a/q2 }
            queues: [ { id: help, strategy: round-robin } ]
            trunks:
              - { name: pbx-b, address: 192.0.2.0/28, queue: help }
              - { name: carrier, address: "2001:db8::5" }
          - id: c
            numbers: ["300"]
            queues: [ { id: only } ]
        """;

    public static TheoryData<string> Configurations => new() { "rich", "demo" };

    private static ProviderConfig Load(string which) =>
        which == "demo" ? ConfigLoader.LoadFile(DemoPath) : ConfigLoader.Parse(Rich, "rich.yaml");

    [Fact]
    public void The_rich_configuration_is_valid()
    {
        var report = ConfigLoader.Check(Rich, "rich.yaml");
        Assert.Empty(report.Errors);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Yaml_written_by_the_writer_loads_back_equal(string which)
    {
        var original = Load(which);
        var yaml = ConfigWriter.ToYaml(original);
        var again = ConfigLoader.Parse(yaml, "written.yaml");
        AssertSameModel(original, again);
        Assert.Equal(yaml, ConfigWriter.ToYaml(again)); // and writing is stable
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Json_written_by_the_writer_loads_back_equal(string which)
    {
        var original = Load(which);
        foreach (var indented in new[] { true, false })
        {
            var json = ConfigWriter.ToJson(ConfigWriter.ToTree(original), indented);
            AssertSameModel(original, ConfigLoader.Parse(json, "written.json"));
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Each_object_round_trips_through_the_admin_api_parsers(string which)
    {
        var config = Load(which);
        foreach (var t in config.Tenants)
        {
            AssertSameModel(t, ConfigLoader.ParseTenant(ConfigWriter.ToJson(ConfigWriter.Tenant(t)), "tenant.json", config));
            foreach (var q in t.Queues)
                AssertSameModel(q, ConfigLoader.ParseQueue(t.Id, ConfigWriter.ToJson(ConfigWriter.Queue(q)), "queue.json", config));
        }
        foreach (var o in config.Operators)
            AssertSameModel(o, ConfigLoader.ParseOperator(ConfigWriter.ToJson(ConfigWriter.Operator(o)), "operator.json", config));
    }

    [Fact]
    public void Rich_values_survive_quoting()
    {
        var again = ConfigLoader.Parse(ConfigWriter.ToYaml(Load("rich")), "w.yaml");
        var a = again.FindTenant(new TenantId("a"))!;
        Assert.Equal("admin: with colon", again.AdminKey);
        Assert.Equal("123", a.ApiKey);
        Assert.Equal(["+4930123", "0100", "1e5"], a.Numbers.AsEnumerable());
        Assert.Equal("Line one\nline two: \"quoted\"", a.Menu!.Prompt);
        Assert.Equal(new MenuAction.Info("null"), a.Menu.Options['*']);
        Assert.Equal("007", again.FindOperator(new OperatorId("op.2"))!.SipPassword);
        Assert.Equal(5400, again.FindOperator(new OperatorId("1"))!.WrapUpSeconds);
    }

    [Fact]
    public void Written_yaml_is_readable()
    {
        var yaml = ConfigWriter.ToYaml(Load("demo"));
        Assert.Contains("skills: {english: 9, sales: 8}", yaml);
        Assert.Contains("numbers: [\"1000\"]", yaml);
        Assert.Contains("serviceLevel: 80% in 20s", yaml);
        Assert.Contains("overflow:\n          - {after: 1m, tier: 2}", yaml);
        Assert.Contains("\"1\": {queue: sales}", yaml);
        Assert.Contains("id: \"2001\"", yaml);
        Assert.StartsWith("version: 1\n", yaml);
    }

    [Fact]
    public void Json_for_the_api_uses_the_file_keys()
    {
        var demo = Load("demo");
        var json = ConfigWriter.ToJson(ConfigWriter.Queue(demo.FindQueue(new QueueId("demo/support"))!), indented: false);
        Assert.Equal(
            """{"id":"support","name":"Support","priority":0,"weight":1,"serviceLevel":"80% in 30s","strategy":"best-skill","requires":{"support":1},"tiers":[1],"ringTimeout":"20s","noAnswerPause":"30s","maxWaiting":200,"overflow":[{"after":"1m","tier":2}]}""",
            json);
        var op = ConfigWriter.ToJson(ConfigWriter.Operator(demo.FindOperator(new OperatorId("2001"))!, includePassword: false), indented: false);
        Assert.DoesNotContain("password", op);
        Assert.Contains("Поддержка", ConfigWriter.ToJson(ConfigWriter.Tenant(demo.FindTenant(new TenantId("acme"))!)));
    }

    [Fact]
    public void Records_holding_arrays_are_not_equal_by_default_which_is_why_the_helper_exists()
    {
        var a = ConfigLoader.LoadFile(DemoPath);
        var b = ConfigLoader.LoadFile(DemoPath);
        Assert.NotEqual(a, b);
        AssertSameModel(a, b);
        var changed = b.WithOperator(b.Operators[0] with { Tier = 3 });
        var ex = Assert.ThrowsAny<Exception>(() => AssertSameModel(a, changed));
        Assert.Contains("$.Operators[0].Tier", ex.Message);
    }
}
