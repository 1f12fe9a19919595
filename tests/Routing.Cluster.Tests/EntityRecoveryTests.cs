using System.Text.Json;
using Akka.Actor;
using Routing.Cluster.Facade;
using Routing.Cluster.Messages;
using Routing.Cluster.Serialization;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Operators;
using Routing.Domain.Routing;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class EntityRecoveryTests
{
    private static Task<OperatorStateReply> OperatorState(TestNode node, string id) =>
        Regions.Get(node.System).Operators.Ask<OperatorStateReply>(new GetOperatorState(id), TimeSpan.FromSeconds(5));

    private static Task<CallStateReply> CallState(TestNode node, string id) =>
        Regions.Get(node.System).Calls.Ask<CallStateReply>(new GetCallState(id), TimeSpan.FromSeconds(5));

    private static Task<QueueFiguresReply> QueueState(TestNode node, QueueId id) =>
        Regions.Get(node.System).Queues.Ask<QueueFiguresReply>(new QueueEnvelope(id.Value, new QueueCommand.GetFigures()), TimeSpan.FromSeconds(5));

    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), RoutingSerializer.Options);

    [Fact]
    public async Task Operator_recovers_its_exact_state_from_the_journal_after_a_restart()
    {
        using var db = new TempDb();
        var config = TestConfigs.Build();
        OperatorState before1, before2, before3;
        await using (var node = await TestNode.StartAsync(db.Path, config))
        {
            await node.Service.OperatorAction(new("2001"), new OperatorAction.LogIn());
            await node.Service.OperatorAction(new("2001"), new OperatorAction.Ready());
            await node.Service.OperatorAction(new("2002"), new OperatorAction.LogIn());
            await node.Service.OperatorAction(new("2002"), new OperatorAction.NotReady("lunch"));
            await node.Service.OperatorAction(new("2003"), new OperatorAction.LogIn());
            await node.Service.OperatorAction(new("2003"), new OperatorAction.Ready());
            await node.Service.OperatorAction(new("2003"), new OperatorAction.LogOut());
            before1 = (await OperatorState(node, "2001")).State;
            before2 = (await OperatorState(node, "2002")).State;
            before3 = (await OperatorState(node, "2003")).State;
        }
        Assert.Equal(OperatorStatus.Ready, before1.Status);
        Assert.Equal("lunch", before2.Reason);

        await using var again = await TestNode.StartAsync(db.Path, config);
        Assert.Equal(before1, (await OperatorState(again, "2001")).State);
        Assert.Equal(before2, (await OperatorState(again, "2002")).State);
        Assert.Equal(before3, (await OperatorState(again, "2003")).State);
    }

    [Fact]
    public async Task Call_and_queue_recover_their_exact_state_and_the_caller_keeps_its_place()
    {
        using var db = new TempDb();
        var config = TestConfigs.Build();
        CallView first, second;
        CallStateReply firstBefore;
        QueueFiguresReply queueBefore;
        await using (var node = await TestNode.StartAsync(db.Path, config))
        {
            first = await node.Service.OfferCall(new OfferCallRequest("1000", "+100", "1"));
            second = await node.Service.OfferCall(new OfferCallRequest("1000", "+200", "1"));
            Assert.Equal("queued", first.State);
            firstBefore = await CallState(node, first.Id);
            queueBefore = await QueueState(node, TestConfigs.Sales);
            Assert.Equal(2, queueBefore.Waiting);
        }

        await using var again = await TestNode.StartAsync(db.Path, config);
        var firstAfter = await CallState(again, first.Id);
        Assert.Equal(firstBefore.State, firstAfter.State);
        Assert.Equal(Json(firstBefore.History), Json(firstAfter.History));
        var queueAfter = await QueueState(again, TestConfigs.Sales);
        Assert.Equal(Json(queueBefore), Json(queueAfter));

        // The first caller is still first: an operator who becomes ready now is offered the first call.
        await again.Service.OperatorAction(new("2001"), new OperatorAction.LogIn());
        await again.Service.OperatorAction(new("2001"), new OperatorAction.Ready());
        await Eventually.Holds(async () =>
        {
            var c = await again.Service.GetCall(new CallId(first.Id));
            Assert.Equal("ringing", c.State);
            Assert.Equal("2001", c.Operator);
        });
        Assert.Equal("queued", (await again.Service.GetCall(new CallId(second.Id))).State);
    }

    [Fact]
    public async Task A_burst_of_callers_is_queued_in_arrival_order_and_the_queue_recovers_it_exactly_from_snapshots_and_events()
    {
        // The queue writes while new callers keep arriving (several enqueues go to the journal as one write) and
        // snapshots every few events: whatever the interleaving, the queue after a restart must hold every caller once,
        // in the order the queue took them, with the same figures.
        using var db = new TempDb();
        var config = TestConfigs.Build();
        const string everyFewEvents = "routing.snapshot-every = 40";
        QueueFiguresReply before;
        CallView[] offered;
        await using (var node = await TestNode.StartAsync(db.Path, config, extraHocon: everyFewEvents))
        {
            offered = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
                node.Service.OfferCall(new OfferCallRequest("1000", $"+7{i:D3}", "1"))));
            Assert.All(offered, c => Assert.Equal("queued", c.State));
            // Ten callers give up while the others wait: dequeues interleave with the snapshots too.
            await Task.WhenAll(offered.Take(10).Select(c => node.Service.CallAction(new CallId(c.Id), new CallAction.HangUp("caller"))));
            await Eventually.Holds(async () => Assert.Equal(50, (await QueueState(node, TestConfigs.Sales)).Waiting));
            before = await QueueState(node, TestConfigs.Sales);
        }
        var entries = before.Entries ?? [];
        Assert.Equal(offered.Skip(10).Select(c => c.Id).Order(), entries.Select(e => e.Call.Value).Order());
        // Arrival order at the queue: places numbered without gaps or repeats, in the order they were taken.
        Assert.Equal(entries.OrderBy(e => e.Seq).Select(e => e.Call), entries.Select(e => e.Call));
        Assert.Equal(entries.Count, entries.Select(e => e.Seq).Distinct().Count());
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.Item1.JoinedAt <= p.Item2.JoinedAt), "joined times out of order");

        await using var again = await TestNode.StartAsync(db.Path, config, extraHocon: everyFewEvents);
        var after = await QueueState(again, TestConfigs.Sales);
        Assert.Equal(Json(before), Json(after));
    }
}
