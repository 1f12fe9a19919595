using Routing.Domain.Operators;
using Routing.Domain.Routing;
using Xunit;

namespace Routing.Domain.Tests.Entities;

public sealed class OperatorStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly ReservationId R1 = new("r1");
    private static readonly ReservationId R2 = new("r2");
    private static readonly CallId C1 = new("demo/c1");
    private static readonly CallId C2 = new("demo/c2");

    /// <summary>Process a command and fold its events, as the entity does.</summary>
    private static (OperatorState State, OperatorReply Reply) Run(OperatorState s, OperatorCommand c, DateTimeOffset at, int wrapUpSeconds = 0)
    {
        var (events, reply) = s.Process(c, at, TimeSpan.FromSeconds(wrapUpSeconds));
        foreach (var e in events) s = s.Apply(e);
        return (s, reply);
    }

    private static OperatorState Ready()
    {
        var s = Run(OperatorState.Initial, new OperatorCommand.LogIn(), T0).State;
        return Run(s, new OperatorCommand.MakeReady(), T0).State;
    }

    [Fact]
    public void Log_in_starts_not_ready_and_ready_must_be_asked()
    {
        var s = Run(OperatorState.Initial, new OperatorCommand.LogIn(), T0).State;
        Assert.Equal(OperatorStatus.NotReady, s.Status);
        Assert.Equal(OperatorStatus.Ready, Run(s, new OperatorCommand.MakeReady(), T0).State.Status);
    }

    [Fact]
    public void Operator_is_never_reserved_for_two_calls_at_once()
    {
        var (s, first) = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0);
        Assert.True(first.Accepted);
        var (s2, second) = Run(s, new OperatorCommand.Reserve(R2, C2, TimeSpan.FromSeconds(30)), T0);
        Assert.False(second.Accepted);
        Assert.Equal(R1, s2.Reservation);
        Assert.Equal(C1, s2.Call);
    }

    [Fact]
    public void A_duplicate_reserve_gets_the_same_answer_and_changes_nothing()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        var (events, reply) = s.Process(new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0.AddSeconds(1), TimeSpan.Zero);
        Assert.True(reply.Accepted);
        Assert.Empty(events);
    }

    [Fact]
    public void An_expired_lease_frees_the_operator_and_a_late_connect_is_refused()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        Assert.Equal(T0.AddSeconds(30), s.NextDeadline);
        Assert.Equal(OperatorStatus.Reserved, Run(s, new OperatorCommand.CheckDeadlines(), T0.AddSeconds(29)).State.Status);
        s = Run(s, new OperatorCommand.CheckDeadlines(), T0.AddSeconds(30)).State;
        Assert.Equal(OperatorStatus.Ready, s.Status);
        Assert.False(Run(s, new OperatorCommand.Connect(R1, C1), T0.AddSeconds(31)).Reply.Accepted);
    }

    [Fact]
    public void No_answer_pauses_the_operator_who_becomes_ready_again_after_the_back_off()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        s = Run(s, new OperatorCommand.Release(R1, OperatorState.NoAnswer, TimeSpan.FromSeconds(60)), T0.AddSeconds(20)).State;
        Assert.Equal(OperatorStatus.NotReady, s.Status);
        Assert.Equal("no-answer", s.Reason);
        Assert.Equal(OperatorStatus.NotReady, Run(s, new OperatorCommand.CheckDeadlines(), T0.AddSeconds(79)).State.Status);
        Assert.Equal(OperatorStatus.Ready, Run(s, new OperatorCommand.CheckDeadlines(), T0.AddSeconds(80)).State.Status);
    }

    [Fact]
    public void After_a_call_the_operator_wraps_up_then_is_ready_and_talk_time_is_counted()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        s = Run(s, new OperatorCommand.Connect(R1, C1), T0.AddSeconds(5)).State;
        Assert.Equal(OperatorStatus.OnCall, s.Status);
        s = Run(s, new OperatorCommand.EndCall(C1), T0.AddSeconds(125), wrapUpSeconds: 15).State;
        Assert.Equal(OperatorStatus.WrapUp, s.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), s.TalkTime);
        Assert.Equal(1, s.CallsHandled);
        Assert.Equal(OperatorStatus.Ready, Run(s, new OperatorCommand.CheckDeadlines(), T0.AddSeconds(140)).State.Status);
    }

    [Fact]
    public void Not_ready_asked_during_a_call_applies_when_the_call_work_ends()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        s = Run(s, new OperatorCommand.Connect(R1, C1), T0).State;
        s = Run(s, new OperatorCommand.MakeNotReady("break"), T0.AddSeconds(10)).State;
        Assert.Equal(OperatorStatus.OnCall, s.Status);
        s = Run(s, new OperatorCommand.EndCall(C1), T0.AddSeconds(20)).State;
        Assert.Equal(OperatorStatus.NotReady, s.Status);
        Assert.Equal("break", s.Reason);
    }

    [Fact]
    public void A_connection_the_call_refused_is_undone_without_counting_a_handled_call()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        s = Run(s, new OperatorCommand.Connect(R1, C1), T0.AddSeconds(1)).State;
        Assert.Equal(OperatorStatus.OnCall, s.Status);

        // A plain release (e.g. a router giving up on an offer) never ends a call in progress: that would double-book.
        Assert.Equal(OperatorStatus.OnCall, Run(s, new OperatorCommand.Release(R1, "call did not answer", null), T0.AddSeconds(2)).State.Status);
        // Another reservation's undo changes nothing either.
        Assert.Equal(OperatorStatus.OnCall, Run(s, new OperatorCommand.Release(R2, "call-ended", null, UndoConnect: true), T0.AddSeconds(2)).State.Status);

        var freed = Run(s, new OperatorCommand.Release(R1, "call-ended", null, UndoConnect: true), T0.AddSeconds(2)).State;
        Assert.Equal(OperatorStatus.Ready, freed.Status);
        Assert.Null(freed.Call);
        Assert.Equal(s.CallsHandled, freed.CallsHandled);
    }

    [Fact]
    public void Log_out_is_refused_during_a_call()
    {
        var s = Run(Ready(), new OperatorCommand.Reserve(R1, C1, TimeSpan.FromSeconds(30)), T0).State;
        s = Run(s, new OperatorCommand.Connect(R1, C1), T0).State;
        var (after, reply) = Run(s, new OperatorCommand.LogOut(), T0);
        Assert.False(reply.Accepted);
        Assert.Equal(OperatorStatus.OnCall, after.Status);
    }
}
