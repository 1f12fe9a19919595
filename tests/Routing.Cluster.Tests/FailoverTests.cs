using Akka.Actor;
using Akka.Cluster.Sharding;
using Routing.Cluster.Facade;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain.Config;
using Routing.Domain.Operators;
using Routing.Domain.Routing;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class FailoverTests
{
    [Fact]
    public async Task Entities_of_a_crashed_node_come_back_on_the_survivors_with_their_state()
    {
        using var db = new TempDb();
        var operators = Enumerable.Range(0, 30).Select(i => TestConfigs.Operator($"{3000 + i}", skills: ("sales", 5))).ToList();
        var config = TestConfigs.Build(operators: operators);
        var seedPort = TestNode.FreePort();
        await using var a = await TestNode.StartAsync(db.Path, config, port: seedPort);
        await using var b = await TestNode.StartAsync(db.Path, config, seedPort: seedPort);
        var c = await TestNode.StartAsync(db.Path, config, seedPort: seedPort);
        await Eventually.Holds(() =>
        {
            Assert.Equal(3, Akka.Cluster.Cluster.Get(a.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30));

        // Every operator logs in; even ones go ready, odd ones take a break.
        var expected = new Dictionary<string, OperatorState>();
        for (var i = 0; i < operators.Count; i++)
        {
            var id = operators[i].Id;
            await a.Service.OperatorAction(id, new OperatorAction.LogIn());
            await a.Service.OperatorAction(id, i % 2 == 0 ? new OperatorAction.Ready() : new OperatorAction.NotReady("training"));
            var s = await Regions.Get(a.System).Operators.Ask<OperatorStateReply>(new GetOperatorState(id.Value), TimeSpan.FromSeconds(5));
            expected[id.Value] = s.State;
        }

        // Which of them live on node c?
        var onC = await Regions.Get(c.System).Operators.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
        var movedIds = onC.Shards.SelectMany(s => s.EntityIds).ToHashSet();
        Assert.NotEmpty(movedIds);

        await c.Crash();

        // The survivors down c (split-brain resolver, keep-majority) and restart its entities from the journal.
        await Eventually.Holds(async () =>
        {
            foreach (var id in movedIds)
            {
                var s = await Regions.Get(a.System).Operators.Ask<OperatorStateReply>(new GetOperatorState(id), TimeSpan.FromSeconds(2));
                Assert.Equal(expected[id], s.State);
            }
        }, TimeSpan.FromSeconds(60));

        // And they are routable: a new sales call is offered to a ready operator.
        var call = await b.Service.OfferCall(new OfferCallRequest("1000", "+9", "1"));
        await Eventually.Holds(async () =>
        {
            var v = await b.Service.GetCall(new Routing.Domain.CallId(call.Id));
            Assert.Equal("ringing", v.State);
            Assert.Equal(OperatorStatus.Ready, expected[v.Operator!].Status);
        }, TimeSpan.FromSeconds(30));
    }
}
