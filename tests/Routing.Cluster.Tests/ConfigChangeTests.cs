using System.Collections.Immutable;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class ConfigChangeTests
{
    [Fact]
    public async Task Run_time_changes_are_persisted_survive_a_restart_and_are_used_for_routing()
    {
        using var db = new TempDb();
        var file = TestConfigs.Build();
        var billing = QueueConfig.Create(QueueId.Of(TestConfigs.Demo, "billing")) with { Requirements = [new SkillRequirement("billing", 3)] };
        var newOp = TestConfigs.Operator("2100", skills: ("billing", 6));
        await using (var node = await TestNode.StartAsync(db.Path, file))
        {
            await node.Service.ChangeConfig(new ConfigChange.UpsertQueue(billing));
            await node.Service.ChangeConfig(new ConfigChange.UpsertOperator(newOp));
            await node.Service.ChangeConfig(new ConfigChange.DeleteOperator(new OperatorId("2003")));
            Assert.NotNull(node.Service.Config.FindQueue(billing.Id));
        }

        // The file alone does not have them: the journal does.
        Assert.Null(file.FindQueue(billing.Id));
        await using var again = await TestNode.StartAsync(db.Path, file);
        var cfg = again.Service.Config;
        Assert.Equal(3, cfg.FindQueue(billing.Id)!.Requirements.Single().MinLevel);
        Assert.Equal(6, cfg.FindOperator(new OperatorId("2100"))!.Skills["billing"]);
        Assert.Null(cfg.FindOperator(new OperatorId("2003")));
        await Assert.ThrowsAsync<RoutingException>(() => again.Service.GetOperator(new OperatorId("2003")));

        // The new operator serves the new queue: a call transferred there is routed to them.
        await again.Service.OperatorAction(new("2100"), new OperatorAction.LogIn());
        await again.Service.OperatorAction(new("2100"), new OperatorAction.Ready());
        var call = await again.Service.OfferCall(new OfferCallRequest("1000", "+7", "1"));
        await again.Service.CallAction(new CallId(call.Id), new CallAction.Transfer("billing"));
        await Eventually.Holds(async () =>
        {
            var v = await again.Service.GetCall(new CallId(call.Id));
            Assert.Equal("ringing", v.State);
            Assert.Equal("2100", v.Operator);
        });
    }

    [Fact]
    public async Task An_invalid_change_is_refused_and_nothing_is_persisted()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var bad = TestConfigs.Operator("2200", skills: ("sales", 5)) with { Tenants = [new TenantId("nobody")] };
        var ex = await Assert.ThrowsAsync<RoutingException>(() => node.Service.ChangeConfig(new ConfigChange.UpsertOperator(bad)));
        Assert.Equal(RoutingErrorKind.Invalid, ex.Kind);
        Assert.Null(node.Service.Config.FindOperator(new OperatorId("2200")));
    }
}
