using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class OverflowTests
{
    [Fact]
    public async Task With_no_operator_logged_in_a_call_overflows_at_once_to_the_external_address()
    {
        using var db = new TempDb();
        var rules = System.Collections.Immutable.ImmutableArray.Create(
            new OverflowRule(null, true, new OverflowTarget.ToExternal("sip:overflow@partner.example")));
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build(salesOverflow: rules));
        var call = await node.Service.OfferCall(new OfferCallRequest("1000", "+1", "1"));
        await Eventually.Holds(async () =>
        {
            var v = await node.Service.GetCall(new CallId(call.Id));
            Assert.Equal("ended", v.State);
            Assert.Equal("overflowed-out", v.EndCause);
            Assert.Contains(v.Events, e => e.Type == "overflowed" && e.Description.Contains("sip:overflow@partner.example"));
        });
        await Eventually.Holds(async () => Assert.Equal(1, (await node.Service.GetQueueFigures(TestConfigs.Sales)).Overflowed));
    }

    [Fact]
    public async Task After_its_time_a_waiting_call_overflows_to_another_queue_keeping_its_first_arrival()
    {
        using var db = new TempDb();
        var rules = System.Collections.Immutable.ImmutableArray.Create(
            new OverflowRule(1, false, new OverflowTarget.ToQueue(TestConfigs.Support)));
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build(salesOverflow: rules));
        var svc = node.Service;
        // A sales operator is logged in but on a break, so "no operator" does not apply; nobody takes the call.
        await svc.OperatorAction(new("2001"), new OperatorAction.LogIn());
        var call = await svc.OfferCall(new OfferCallRequest("1000", "+1", "1"));
        await Eventually.Holds(async () =>
        {
            var v = await svc.GetCall(new CallId(call.Id));
            Assert.Equal("queued", v.State);
            Assert.Equal(TestConfigs.Support.Value, v.Queue);
        });
        Assert.Equal(0, (await svc.GetQueueFigures(TestConfigs.Sales)).Waiting);

        // The support operator gets it.
        await svc.OperatorAction(new("2003"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2003"), new OperatorAction.Ready());
        await Eventually.Holds(async () => Assert.Equal("2003", (await svc.GetCall(new CallId(call.Id))).Operator));
    }

    [Fact]
    public async Task A_tier_overflow_lets_second_line_take_a_first_line_call()
    {
        using var db = new TempDb();
        var rules = System.Collections.Immutable.ImmutableArray.Create(new OverflowRule(1, false, new OverflowTarget.ToTier(2)));
        var operators = new[] { TestConfigs.Operator("2001", skills: ("sales", 8)), TestConfigs.Operator("2004", tier: 2, skills: ("sales", 9)) };
        var config = TestConfigs.Build(salesOverflow: rules, operators: operators);
        var sales = config.Tenants[0].Queues[0] with { Tiers = [1] };
        config = config with { Tenants = [config.Tenants[0] with { Queues = [sales, config.Tenants[0].Queues[1]] }] };
        await using var node = await TestNode.StartAsync(db.Path, config);
        var svc = node.Service;
        await svc.OperatorAction(new("2004"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2004"), new OperatorAction.Ready());
        var call = await svc.OfferCall(new OfferCallRequest("1000", "+1", "1"));
        // First line only at first: 2004 (2nd line) is ready but not offered the call...
        Assert.Equal("queued", (await svc.GetCall(new CallId(call.Id))).State);
        // ...until the escalation after 1 s.
        await Eventually.Holds(async () => Assert.Equal("2004", (await svc.GetCall(new CallId(call.Id))).Operator));
    }
}
