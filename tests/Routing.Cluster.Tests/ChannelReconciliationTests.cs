using Akka.Actor;
using Routing.Cluster.Entities;
using Routing.Cluster.Facade;
using Xunit;

namespace Routing.Cluster.Tests;

/// <summary>
/// A call carried by a gateway asks it whether it still carries the call: a gateway restarted at the same address
/// (same actor path, none of the old calls) or one that never answers leads to the call being closed as failed,
/// instead of a call "connected" for ever.
/// </summary>
public sealed class ChannelReconciliationTests
{
    /// <summary>Stands in for the gateway role's actor: the part of the gateway a call entity talks to.</summary>
    private sealed class Channel : ReceiveActor
    {
        public Channel(bool carries)
        {
            Receive<CarriesCall>(m => Sender.Tell(new CallCarried(m.Call, carries)));
            Receive<ChannelInstruction>(_ => { });
        }
    }

    private static async Task<string> EndCauseOf(TestNode node, string id)
    {
        var v = await node.Service.GetCall(new Routing.Domain.CallId(id));
        return v.State == "ended" ? $"{v.EndCause}: {v.Events[^1].Description}" : v.State;
    }

    [Fact]
    public async Task A_call_its_gateway_no_longer_carries_ends_as_failed()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var gateway = node.System.ActorOf(Props.Create(() => new Channel(false)), "gateway-restarted");
        var call = await node.Service.OfferCall(new OfferCallRequest("1000", "+1", null, gateway.Path.ToStringWithAddress(Akka.Cluster.Cluster.Get(node.System).SelfAddress)));
        await Eventually.Holds(async () => Assert.StartsWith("failed: ended: failed (media leg lost", await EndCauseOf(node, call.Id)));
    }

    [Fact]
    public async Task A_call_whose_gateway_carries_it_goes_on()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var gateway = node.System.ActorOf(Props.Create(() => new Channel(true)), "gateway-alive");
        var call = await node.Service.OfferCall(new OfferCallRequest("1000", "+1", null, gateway.Path.ToStringWithAddress(Akka.Cluster.Cluster.Get(node.System).SelfAddress)));
        // Past three answer timeouts (3 x 5 s) it is still in its menu (whose own timeout is 30 s): the gateway said yes.
        await Task.Delay(TimeSpan.FromSeconds(16));
        Assert.Equal("inmenu", await EndCauseOf(node, call.Id));
        // And when the gateway goes away the call is closed.
        await gateway.GracefulStop(TimeSpan.FromSeconds(5));
        await Eventually.Holds(async () => Assert.StartsWith("failed:", await EndCauseOf(node, call.Id)));
    }

    [Fact]
    public async Task A_call_whose_gateway_never_answers_ends_as_failed()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var nowhere = $"{Akka.Cluster.Cluster.Get(node.System).SelfAddress}/user/no-such-gateway";
        var call = await node.Service.OfferCall(new OfferCallRequest("1000", "+1", null, nowhere));
        await Eventually.Holds(async () => Assert.StartsWith("failed:", await EndCauseOf(node, call.Id)), TimeSpan.FromSeconds(30));
    }
}
