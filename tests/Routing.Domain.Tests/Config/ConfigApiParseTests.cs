using Routing.Domain.Config;
using static Routing.Domain.Tests.Config.ConfigTestKit;

namespace Routing.Domain.Tests.Config;

/// <summary>The admin API's bodies: single tenants, queues and operators, in JSON (or YAML), checked alone or against the current configuration.</summary>
public class ConfigApiParseTests
{
    private static readonly ProviderConfig Demo = ConfigLoader.LoadFile(DemoPath);
    private static readonly TenantId DemoTenant = new("demo");

    [Fact]
    public void ParseOperator_accepts_compact_json()
    {
        var op = ConfigLoader.ParseOperator("""{"id":"2005","name":"Eve","password":"pw","tier":2,"wrapUp":30,"tenants":["demo"],"skills":{"sales":7}}""", "body");
        Assert.Equal(new OperatorId("2005"), op.Id);
        Assert.Equal("Eve", op.Name);
        Assert.Equal("pw", op.SipPassword);
        Assert.Equal(2, op.Tier);
        Assert.Equal(30, op.WrapUpSeconds);
        Assert.Equal([DemoTenant], op.Tenants.AsEnumerable());
        Assert.Equal(7, op.Skills["sales"]);
    }

    [Fact]
    public void ParseOperator_defaults_name_tier_wrap_up_and_skills()
    {
        var op = ConfigLoader.ParseOperator("""{ "id": "9", "password": "x", "tenants": ["demo"] }""", "body");
        Assert.Equal("9", op.Name);
        Assert.Equal(1, op.Tier);
        Assert.Equal(10, op.WrapUpSeconds);
        Assert.Empty(op.Skills);
    }

    [Fact]
    public void ParseQueue_accepts_pretty_json_indented_with_tabs()
    {
        var json = "{\n\t\"id\": \"vip\",\n\t\"priority\": 5,\n\t\"weight\": 2.5,\n\t\"serviceLevel\": \"90% in 15s\",\n\t\"strategy\": \"top-down\",\n" +
                   "\t\"requires\": { \"sales\": 7 },\n\t\"relax\": [ { \"after\": \"45s\", \"requires\": {} } ],\n\t\"tiers\": [1, 2],\n" +
                   "\t\"overflow\": [ { \"after\": \"2m\", \"queue\": \"sales\" }, { \"whenNoOperators\": true, \"external\": \"sip:x@y.example\" } ],\n" +
                   "\t\"ringTimeout\": \"15s\",\n\t\"noAnswerPause\": 0,\n\t\"maxWaiting\": 50,\n\t\"closed\": null\n}";
        var q = ConfigLoader.ParseQueue(DemoTenant, json, "body");
        Assert.Equal(new QueueId("demo/vip"), q.Id);
        Assert.Equal(5, q.Priority);
        Assert.Equal(2.5, q.Weight);
        Assert.Equal(new ServiceLevelTarget(90, 15), q.ServiceLevel);
        Assert.Equal(RoutingStrategy.TopDown, q.Strategy);
        Assert.Equal([new SkillRequirement("sales", 7)], q.Requirements.AsEnumerable());
        var step = Assert.Single(q.Relaxation);
        Assert.Equal(45, step.AfterSeconds);
        Assert.Empty(step.Requirements);
        Assert.Equal([1, 2], q.Tiers.AsEnumerable());
        Assert.Equal(new OverflowRule(120, false, new OverflowTarget.ToQueue(new QueueId("demo/sales"))), q.Overflow[0]);
        Assert.Equal(new OverflowRule(null, true, new OverflowTarget.ToExternal("sip:x@y.example")), q.Overflow[1]);
        Assert.Equal((15, 0, 50), (q.RingTimeoutSeconds, q.NoAnswerPauseSeconds, q.MaxWaiting));
        Assert.Null(q.Closed);
    }

    [Fact]
    public void Json_errors_carry_line_and_column()
    {
        var json = "{\n  \"id\": \"vip\",\n  \"tier\": 2,\n  \"strategy\": \"fastest\"\n}";
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseQueue(DemoTenant, json, "PUT /queues/vip"));
        Assert.Equal(2, ex.Errors.Length);
        Assert.Contains("PUT /queues/vip:3:3: unknown key 'tier' in queue; did you mean 'tiers'?", ex.Message);
        Assert.Contains("PUT /queues/vip:4:15: unknown strategy 'fastest'", ex.Message);
    }

    [Fact]
    public void Broken_json_is_located()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseOperator("{\n  \"id\": \"1\",\n  \"tenants\": [\"demo\"\n}", "body"));
        var e = Assert.Single(ex.Errors);
        Assert.InRange(e.Line, 1, 4);
    }

    [Fact]
    public void ParseOperator_checks_tenants_against_the_current_configuration()
    {
        var json = "{\n  \"id\": \"2009\",\n  \"password\": \"x\",\n  \"tenants\": [\"demo\", \"acmee\"]\n}";
        Assert.NotNull(ConfigLoader.ParseOperator(json, "body")); // alone: nothing to check against
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseOperator(json, "body", Demo));
        var e = Assert.Single(ex.Errors);
        Assert.Equal((4, 23), (e.Line, e.Column));
        Assert.Contains("serves tenant 'acmee', which does not exist (did you mean 'acme'?)", e.Message);
    }

    [Fact]
    public void Replacing_an_operator_with_the_same_id_is_not_a_duplicate()
    {
        var op = ConfigLoader.ParseOperator("""{ "id": "2001", "password": "new", "tenants": ["demo"], "skills": { "sales": 9 } }""", "body", Demo);
        Assert.Equal("new", op.SipPassword);
    }

    [Fact]
    public void ParseTenant_refuses_a_number_of_another_tenant_in_the_current_configuration()
    {
        var json = """
            {
              "id": "globex",
              "numbers": ["3000", "2000"],
              "queues": [ { "id": "help" } ]
            }
            """;
        var alone = ConfigLoader.ParseTenant(json, "body");
        Assert.Equal("help", alone.DefaultQueue);
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseTenant(json, "body", Demo));
        Assert.Equal("body:3:23: number '2000' is already used by tenant 'acme': a number leads to one tenant", ex.Message);
    }

    [Fact]
    public void ParseTenant_checks_its_own_references_even_alone()
    {
        var yaml = """
            id: globex
            numbers: ["3000"]
            menu:
              prompt: Hi
              options: { "1": { queue: help }, "2": { queue: sales } }
            queues: [ { id: help } ]
            """;
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseTenant(yaml, "body"));
        Assert.Equal("body:5:50: menu sends calls to queue 'sales', which is not a queue of tenant 'globex'", ex.Message);
    }

    [Fact]
    public void Replacing_a_tenant_that_breaks_another_tenant_is_reported_without_a_line()
    {
        var pooled = ConfigLoader.Parse("""
            pools: [ { id: p, tenants: [a, b] } ]
            tenants:
              - { id: a, numbers: ["1"], queues: [ { id: q, overflow: [ { after: 1m, queue: b/help } ] } ] }
              - { id: b, numbers: ["2"], queues: [ { id: help } ] }
            """, "base.yaml");
        var ex = Assert.Throws<ConfigException>(() =>
            ConfigLoader.ParseTenant("""{ "id": "b", "numbers": ["2"], "queues": [ { "id": "other" } ] }""", "body", pooled));
        var e = Assert.Single(ex.Errors);
        Assert.Equal(0, e.Line);
        Assert.Equal("body: overflow goes to 'b/help', but tenant 'b' has no queue 'help'", e.ToString());
    }

    [Fact]
    public void ParseQueue_with_the_current_configuration_checks_overflow_targets()
    {
        var ok = ConfigLoader.ParseQueue(DemoTenant, """{ "id": "vip", "overflow": [ { "after": "1m", "queue": "sales" } ] }""", "body", Demo);
        Assert.Equal(new QueueId("demo/vip"), ok.Id);

        var ex = Assert.Throws<ConfigException>(() =>
            ConfigLoader.ParseQueue(DemoTenant, """{ "id": "vip", "overflow": [ { "after": "1m", "queue": "acme/support" } ] }""", "body", Demo));
        Assert.Contains("body:1:56: overflow goes to 'acme/support' of another tenant, but tenants 'demo' and 'acme' are not in one shared pool", ex.Message);

        var noTenant = Assert.Throws<ConfigException>(() => ConfigLoader.ParseQueue(new TenantId("nope"), """{ "id": "vip" }""", "body", Demo));
        Assert.Equal("body:1:1: there is no tenant 'nope'", noTenant.Message);
    }

    [Fact]
    public void ParseQueue_alone_still_refuses_overflow_to_itself()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ParseQueue(DemoTenant, "id: vip\noverflow: [ { after: 1m, queue: vip } ]", "body"));
        Assert.Equal("body:2:33: queue 'vip' overflows to itself", ex.Message);
    }

    [Fact]
    public void Deleting_a_queue_the_menu_uses_is_a_new_error()
    {
        var after = Demo.WithoutQueue(new QueueId("demo/sales"));
        var errors = ConfigValidator.NewErrors(Demo, after, "DELETE /queues/demo/sales");
        var e = Assert.Single(errors);
        Assert.Equal("DELETE /queues/demo/sales: menu sends calls to queue 'sales', which is not a queue of tenant 'demo'", e.ToString());
        Assert.Empty(ConfigValidator.NewErrors(Demo, Demo.WithoutOperator(new OperatorId("2001")), "x"));
    }

    [Fact]
    public void Validate_checks_a_model_built_in_code()
    {
        var bad = Demo.WithOperator(new OperatorConfig(new OperatorId("9"), "N", "p", System.Collections.Immutable.ImmutableDictionary<string, int>.Empty, 1, [new TenantId("ghost")], 0));
        var report = ConfigValidator.Validate(bad);
        Assert.False(report.IsValid);
        Assert.Equal("config: operator '9' serves tenant 'ghost', which does not exist", Assert.Single(report.Errors).ToString());
        Assert.True(ConfigValidator.Validate(Demo).IsValid);
    }

    [Fact]
    public void Edits_replace_in_place_and_append_new_entries()
    {
        var renamed = Demo.FindTenant(DemoTenant)! with { Name = "Renamed" };
        var edited = Demo.WithTenant(renamed);
        Assert.Equal(["demo", "acme"], edited.Tenants.Select(t => t.Id.Value));
        Assert.Equal("Renamed", edited.Tenants[0].Name);

        var queue = QueueConfig.Create(new QueueId("demo/new"));
        Assert.Equal(["sales", "support", "new"], Demo.WithQueue(queue).FindTenant(DemoTenant)!.Queues.Select(q => q.Id.Name));
        Assert.Equal(["acme"], Demo.WithoutTenant(DemoTenant).Tenants.Select(t => t.Id.Value));
    }
}
