using Akka.Actor;
using Routing.Cluster.Facade;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Operators;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class ReservationTests
{
    private static Task<OperatorCommandReply> Send(TestNode node, string op, OperatorCommand cmd) =>
        Regions.Get(node.System).Operators.Ask<OperatorCommandReply>(new OperatorEnvelope(op, cmd), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Operator_accepts_one_reservation_at_a_time_and_an_expired_lease_frees_it()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        await node.Service.OperatorAction(new("2001"), new OperatorAction.LogIn());
        await node.Service.OperatorAction(new("2001"), new OperatorAction.Ready());

        var first = await Send(node, "2001", new OperatorCommand.Reserve(new ReservationId("r1"), new CallId("demo/c1"), TimeSpan.FromMilliseconds(800)));
        Assert.True(first.Reply.Accepted);
        var second = await Send(node, "2001", new OperatorCommand.Reserve(new ReservationId("r2"), new CallId("demo/c2"), TimeSpan.FromSeconds(30)));
        Assert.False(second.Reply.Accepted);
        var duplicate = await Send(node, "2001", new OperatorCommand.Reserve(new ReservationId("r1"), new CallId("demo/c1"), TimeSpan.FromMilliseconds(800)));
        Assert.True(duplicate.Reply.Accepted); // the same request again gets the same answer

        Assert.Equal("reserved", (await node.Service.GetOperator(new("2001"))).Status);
        await Eventually.Holds(async () => Assert.Equal("ready", (await node.Service.GetOperator(new("2001"))).Status));

        // A connect for the expired reservation is refused: the operator is free for others.
        var late = await Send(node, "2001", new OperatorCommand.Connect(new ReservationId("r1"), new CallId("demo/c1")));
        Assert.False(late.Reply.Accepted);
    }

    [Fact]
    public async Task Ring_no_answer_puts_the_call_back_at_its_place_and_pauses_the_operator()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build(ringTimeoutSeconds: 1, noAnswerPause: 60));
        var svc = node.Service;
        await svc.OperatorAction(new("2001"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2001"), new OperatorAction.Ready());

        var a = await svc.OfferCall(new OfferCallRequest("1000", "+1", "1"));
        var b = await svc.OfferCall(new OfferCallRequest("1000", "+2", "1"));
        await Eventually.Holds(async () => Assert.Equal("2001", (await svc.GetCall(new CallId(a.Id))).Operator));

        // Nobody answers: after the ring time the call is waiting again and 2001 is paused with a reason.
        await Eventually.Holds(async () =>
        {
            var call = await svc.GetCall(new CallId(a.Id));
            Assert.Equal("queued", call.State);
            Assert.Contains(call.Events, e => e.Type == "offer-failed" && e.Description.Contains("no-answer"));
        });
        var paused = await svc.GetOperator(new("2001"));
        Assert.Equal("not-ready", paused.Status);
        Assert.Equal("no-answer", paused.Reason);

        // The next operator gets the first caller, not the later one.
        await svc.OperatorAction(new("2002"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2002"), new OperatorAction.Ready());
        await Eventually.Holds(async () =>
        {
            var call = await svc.GetCall(new CallId(a.Id));
            Assert.Equal("ringing", call.State);
            Assert.Equal("2002", call.Operator);
        });
        Assert.Equal("queued", (await svc.GetCall(new CallId(b.Id))).State);
    }

    [Fact]
    public async Task A_call_is_answered_completed_and_counted_and_its_history_explains_the_routing()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var svc = node.Service;
        foreach (var op in new[] { "2001", "2002" })
        {
            await svc.OperatorAction(new(op), new OperatorAction.LogIn());
            await svc.OperatorAction(new(op), new OperatorAction.Ready());
        }
        var call = await svc.OfferCall(new OfferCallRequest("1000", "+49301234", "1"));
        var id = new CallId(call.Id);
        string chosen = "";
        await Eventually.Holds(async () =>
        {
            var c = await svc.GetCall(id);
            Assert.Equal("ringing", c.State);
            chosen = c.Operator!;
        });
        await svc.CallAction(id, new CallAction.Answer(new OperatorId(chosen)));
        Assert.Equal("on-call", (await svc.GetOperator(new(chosen))).Status);
        var ended = await svc.CallAction(id, new CallAction.HangUp("caller"));
        Assert.Equal("ended", ended.State);
        Assert.Equal("completed", ended.EndCause);

        var types = ended.Events.Select(e => e.Type).ToList();
        Assert.Equal(["offered", "menu", "menu-choice", "queued", "offered-to-operator", "connected", "ended"], types);
        var offer = ended.Events.Single(e => e.Type == "offered-to-operator");
        var decision = Assert.IsType<Routing.Domain.Routing.RoutingDecision>(offer.Details);
        Assert.Equal(2, decision.CandidateCount);
        Assert.Equal(chosen, decision.Chosen.Value);
        Assert.False(string.IsNullOrWhiteSpace(decision.Why));

        await Eventually.Holds(async () =>
        {
            var f = await svc.GetQueueFigures(TestConfigs.Sales);
            Assert.Equal(1, f.Answered);
            Assert.Equal(0, f.Waiting);
            Assert.NotNull(f.AverageHandleTimeSeconds);
            Assert.Equal(100, f.ServiceLevelPercent);
        });
        Assert.Equal("ready", (await svc.GetOperator(new(chosen))).Status); // no wrap-up configured
    }
}
