using Akka.Actor;
using Akka.Cluster.Sharding;
using Routing.Cluster.Facade;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class PassivationTests
{
    private static async Task<bool> IsLive(TestNode node, string callId)
    {
        var state = await Regions.Get(node.System).Calls.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
        return state.Shards.Any(s => s.EntityIds.Contains(callId));
    }

    [Fact]
    public async Task A_long_waiting_call_stops_its_entity_keeps_its_place_and_wakes_for_its_offer()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build(),
            extraHocon: "routing.passivate-waiting-call-after = 300ms");
        var svc = node.Service;
        var first = await svc.OfferCall(new OfferCallRequest("1000", "+1", "1"));
        var second = await svc.OfferCall(new OfferCallRequest("1000", "+2", "1"));

        await Eventually.Holds(async () => Assert.False(await IsLive(node, first.Id)));
        Assert.Equal(2, (await svc.GetQueueFigures(TestConfigs.Sales)).Waiting);

        // Reading it wakes it (and it is the same call); then an operator takes the first caller first.
        Assert.Equal("queued", (await svc.GetCall(new CallId(first.Id))).State);
        await svc.OperatorAction(new("2001"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2001"), new OperatorAction.Ready());
        await Eventually.Holds(async () =>
        {
            var v = await svc.GetCall(new CallId(first.Id));
            Assert.Equal("ringing", v.State);
            Assert.Equal("2001", v.Operator);
        });
        var waiting = await svc.GetCall(new CallId(second.Id));
        Assert.Equal("queued", waiting.State);
        Assert.Equal(["offered", "menu", "menu-choice", "queued"], waiting.Events.Select(e => e.Type));
    }
}
