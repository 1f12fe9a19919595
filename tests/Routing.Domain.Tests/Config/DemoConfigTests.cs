using Routing.Domain.Config;
using static Routing.Domain.Tests.Config.ConfigTestKit;

namespace Routing.Domain.Tests.Config;

/// <summary>config/demo.yaml is what the product loads by default and what the README describes.</summary>
public class DemoConfigTests
{
    private static readonly ProviderConfig Demo = ConfigLoader.LoadFile(DemoPath);
    private static readonly TenantId DemoTenant = new("demo");
    private static readonly TenantId Acme = new("acme");

    [Fact]
    public void Demo_file_loads_without_errors_or_warnings()
    {
        var report = ConfigLoader.CheckFile(DemoPath);
        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Provider_admin_key_and_tenant_keys_are_the_documented_ones()
    {
        Assert.Equal("demo-admin-key", Demo.AdminKey);
        Assert.Equal("demo-tenant-key", Demo.FindTenant(DemoTenant)!.ApiKey);
        Assert.Equal("acme-tenant-key", Demo.FindTenant(Acme)!.ApiKey);
    }

    [Fact]
    public void Number_1000_is_demo_in_english_and_2000_is_acme_in_russian()
    {
        var demo = Demo.FindTenantByNumber("1000")!;
        Assert.Equal(DemoTenant, demo.Id);
        Assert.Equal("Demo Ltd", demo.Name);
        Assert.Equal("en", demo.Language);
        var acme = Demo.FindTenantByNumber("2000")!;
        Assert.Equal(Acme, acme.Id);
        Assert.Equal("ru", acme.Language);
    }

    [Fact]
    public void Demo_menu_has_1_sales_2_support_and_9_information()
    {
        var menu = Demo.FindTenant(DemoTenant)!.Menu!;
        Assert.Equal(new MenuAction.ToQueue("sales"), menu.Options['1']);
        Assert.Equal(new MenuAction.ToQueue("support"), menu.Options['2']);
        var info = Assert.IsType<MenuAction.Info>(menu.Options['9']);
        Assert.Contains("Main Street", info.Text);
        Assert.Equal(3, menu.Options.Count);
        Assert.Equal(new MenuAction.ToQueue("support"), menu.OnTimeout);
    }

    [Fact]
    public void Demo_and_acme_are_open_at_any_moment()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var t = start; t < start.AddDays(8); t = t.AddMinutes(37))
        {
            foreach (var tenant in Demo.Tenants)
            {
                Assert.True(tenant.Hours?.IsOpen(t) ?? true, $"{tenant.Id} closed at {t}");
                foreach (var q in tenant.Queues) Assert.True(q.Hours?.IsOpen(t) ?? true);
            }
        }
        Assert.Equal("Europe/Moscow", Demo.FindTenant(Acme)!.Hours!.TimeZone);
    }

    [Fact]
    public void Operators_2001_to_2004_have_the_printed_passwords()
    {
        foreach (var n in new[] { "2001", "2002", "2003", "2004", "3001", "3002" })
            Assert.Equal($"op{n}pw", Demo.FindOperator(new OperatorId(n))!.SipPassword);
        Assert.Equal(6, Demo.Operators.Length);
    }

    [Fact]
    public void Each_demo_queue_has_two_operators_one_skilled_in_both_and_a_second_line_for_support()
    {
        var sales = Demo.FindQueue(QueueId.Of(DemoTenant, "sales"))!;
        var support = Demo.FindQueue(QueueId.Of(DemoTenant, "support"))!;
        var demoOps = Demo.Operators.Where(o => o.Tenants.Contains(DemoTenant)).ToList();
        Assert.Equal(["2001", "2002", "2003", "2004"], demoOps.Select(o => o.Id.Value));

        static bool Fits(OperatorConfig o, QueueConfig q, int extraTier = 0) =>
            (q.Tiers.Contains(o.Tier) || o.Tier == extraTier)
            && q.Requirements.All(r => o.Skills.TryGetValue(r.Skill, out var l) && l >= r.MinLevel);

        Assert.Equal(["2001", "2002"], demoOps.Where(o => Fits(o, sales)).Select(o => o.Id.Value));
        Assert.Equal(["2002", "2003"], demoOps.Where(o => Fits(o, support)).Select(o => o.Id.Value));
        Assert.Equal(["2002", "2003", "2004"], demoOps.Where(o => Fits(o, support, extraTier: 2)).Select(o => o.Id.Value));
        Assert.Equal(2, Demo.FindOperator(new OperatorId("2004"))!.Tier);

        var escalation = Assert.Single(support.Overflow);
        Assert.Equal(60, escalation.AfterSeconds);
        Assert.False(escalation.WhenNoOperators);
        Assert.Equal(new OverflowTarget.ToTier(2), escalation.Target);
        Assert.Equal([1], support.Tiers.AsEnumerable());
    }

    [Fact]
    public void Acme_is_isolated_with_its_own_queue_and_operators()
    {
        var acme = Demo.FindTenant(Acme)!;
        Assert.Equal(["support"], acme.Queues.Select(q => q.Id.Name));
        Assert.Equal("support", acme.DefaultQueue);
        var acmeOps = Demo.Operators.Where(o => o.Tenants.Contains(Acme)).Select(o => o.Id.Value);
        Assert.Equal(["3001", "3002"], acmeOps);
        Assert.All(Demo.Operators, o => Assert.Single(o.Tenants));
        Assert.Empty(Demo.SharedPools);
        Assert.NotEqual(Demo.PoolOf(DemoTenant), Demo.PoolOf(Acme));
    }
}
