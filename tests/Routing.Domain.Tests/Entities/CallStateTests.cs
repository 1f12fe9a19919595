using System.Collections.Immutable;
using Routing.Domain.Calls;
using Routing.Domain.Config;
using Xunit;

namespace Routing.Domain.Tests.Entities;

public sealed class CallStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero); // a Monday
    private static readonly TenantId Demo = new("demo");
    private static readonly CallId Id = new("demo/c1");
    private static readonly OperatorId Op1 = new("2001");
    private static readonly OperatorId Op2 = new("2002");

    private static ProviderConfig Config(BusinessHours? hours = null, ClosedRule? closed = null)
    {
        var sub = new MenuNode("Billing: 1 invoices, 0 back", ImmutableDictionary<char, MenuAction>.Empty
            .Add('1', new MenuAction.ToQueue("support")).Add('0', new MenuAction.Back()), 5, 1, null);
        var menu = new MenuNode("1 sales, 2 support, 3 billing, 9 address", ImmutableDictionary<char, MenuAction>.Empty
            .Add('1', new MenuAction.ToQueue("sales"))
            .Add('2', new MenuAction.ToQueue("support"))
            .Add('3', new MenuAction.SubMenu(sub))
            .Add('9', new MenuAction.Info("1 Main Street"))
            .Add('*', new MenuAction.ToExternal("sip:reception@client.example")), 5, 2, new MenuAction.ToQueue("support"));
        var tenant = new TenantConfig(Demo, "Demo", "en", ["1000"], null, hours, closed ?? new ClosedRule.Message("We are closed"), menu, "support",
            [QueueConfig.Create(QueueId.Of(Demo, "sales")) with { Priority = 2 }, QueueConfig.Create(QueueId.Of(Demo, "support"))]);
        return new ProviderConfig([tenant], [], [], null);
    }

    private static (CallState State, CallDecision Decision) Run(CallState s, CallCommand c, DateTimeOffset at, ProviderConfig config)
    {
        var d = s.Process(c, at, config);
        foreach (var e in d.Events) s = s.Apply(e);
        return (s, d);
    }

    private static CallState Queued(ProviderConfig config, string digit = "1")
    {
        var s = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, config).State;
        return Run(s, new CallCommand.Digit(digit[0]), T0.AddSeconds(3), config).State;
    }

    [Fact]
    public void A_digit_leads_to_its_queue_with_the_queue_priority()
    {
        var config = Config();
        var s = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, config).State;
        Assert.Equal(CallPhase.InMenu, s.Phase);
        var (q, d) = Run(s, new CallCommand.Digit('1'), T0.AddSeconds(3), config);
        Assert.Equal(CallPhase.Queued, q.Phase);
        Assert.Equal(QueueId.Of(Demo, "sales"), q.Queue);
        Assert.Equal(2, q.Priority);
        Assert.Contains(d.Effects, e => e is CallEffect.Enqueue { Priority: 2 });
    }

    [Fact]
    public void A_call_started_for_a_queue_skips_the_menu_but_not_the_opening_hours()
    {
        var config = Config();
        var (s, d) = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "sip", Queue: "sales"), T0, config);
        Assert.Equal(CallPhase.Queued, s.Phase);
        Assert.Equal(QueueId.Of(Demo, "sales"), s.Queue);
        Assert.DoesNotContain(d.Events, e => e is CallMenuEntered);
        Assert.Contains(d.Effects, e => e is CallEffect.Enqueue { Priority: 2 });

        var closed = Config(new BusinessHours("UTC", [new OpenInterval(DayOfWeek.Saturday, new TimeOnly(10, 0), new TimeOnly(12, 0))], []));
        var (c, _) = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "sip", Queue: "sales"), T0, closed);
        Assert.Equal(CallPhase.Ended, c.Phase); // Monday: the tenant is closed, the trunk's call gets the closed rule
    }

    [Fact]
    public void An_operator_transfers_a_connected_call_to_another_operator_who_alone_may_take_it()
    {
        var config = Config() with
        {
            Operators = [new OperatorConfig(Op1, "Anna", "pw", ImmutableDictionary<string, int>.Empty, 1, [Demo], 0),
                         new OperatorConfig(Op2, "David", "pw", ImmutableDictionary<string, int>.Empty, 2, [Demo], 0)],
        };
        var s = Queued(config);
        var connected = s with { Phase = CallPhase.Connected, Operator = Op1, ConnectedAt = T0.AddSeconds(10) };
        var (t, d) = Run(connected, new CallCommand.Transfer("2002", "2001"), T0.AddSeconds(60), config);
        Assert.Equal(CallPhase.Queued, t.Phase);
        Assert.Equal(Op2, t.TargetOperator);
        Assert.Equal(QueueId.Of(Demo, "sales"), t.Queue); // held in its own queue
        Assert.Contains(d.Events, e => e is CallTransferred { Target: "operator 2002", By: "2001" });
        Assert.Contains(d.Effects, e => e is CallEffect.EndOperatorCall { Operator: var o } && o == Op1);
        // Replayed from the journal, the call still waits for 2002 only.
        var replayed = d.Events.Aggregate(connected, (st, e) => st.Apply(e));
        Assert.Equal(Op2, replayed.TargetOperator);

        Assert.False(connected.Process(new CallCommand.Transfer("2001", "2001"), T0.AddSeconds(60), config).Reply.Accepted); // to themselves
        Assert.False(connected.Process(new CallCommand.Transfer("9999", "2001"), T0.AddSeconds(60), config).Reply.Accepted); // nobody
    }

    [Fact]
    public void Information_message_returns_to_the_same_menu_and_sub_menus_nest()
    {
        var config = Config();
        var s = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, config).State;
        var (info, d) = Run(s, new CallCommand.Digit('9'), T0, config);
        Assert.Equal(CallPhase.InMenu, info.Phase);
        Assert.Contains(d.Effects, e => e is CallEffect.Channel { Action: "play-info", Target: "1 Main Street" });
        var sub = Run(info, new CallCommand.Digit('3'), T0, config).State;
        Assert.Equal("3", sub.MenuPath);
        var back = Run(sub, new CallCommand.Digit('0'), T0, config).State;
        Assert.Equal("", back.MenuPath);
        var queued = Run(Run(back, new CallCommand.Digit('3'), T0, config).State, new CallCommand.Digit('1'), T0, config).State;
        Assert.Equal(QueueId.Of(Demo, "support"), queued.Queue);
    }

    [Fact]
    public void Invalid_digits_replay_the_menu_until_retries_run_out_then_the_timeout_action_applies()
    {
        var config = Config();
        var s = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, config).State;
        s = Run(s, new CallCommand.Digit('7'), T0, config).State;
        s = Run(s, new CallCommand.Digit('7'), T0, config).State;
        Assert.Equal(CallPhase.InMenu, s.Phase);
        s = Run(s, new CallCommand.Digit('7'), T0, config).State;
        Assert.Equal(CallPhase.Queued, s.Phase);
        Assert.Equal(QueueId.Of(Demo, "support"), s.Queue);
    }

    [Fact]
    public void Outside_business_hours_the_closed_rule_applies()
    {
        var hours = new BusinessHours("Europe/Berlin", [new OpenInterval(DayOfWeek.Monday, new TimeOnly(12, 0), new TimeOnly(18, 0))], []);
        var (s, d) = Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, Config(hours));
        Assert.Equal(CallPhase.Ended, s.Phase);
        Assert.Equal(CallEndCause.Closed, s.EndCause);
        Assert.Contains(d.Effects, e => e is CallEffect.Channel { Action: "play-closed" });

        var toQueue = Config(hours, new ClosedRule.ToQueue(QueueId.Of(Demo, "support")));
        Assert.Equal(CallPhase.Queued, Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0, toQueue).State.Phase);
        // 13:00 in Berlin is open.
        Assert.Equal(CallPhase.InMenu, Run(CallState.Initial(Id), new CallCommand.Start("1000", "+1", "api"), T0.AddHours(2), Config(hours)).State.Phase);
    }

    [Fact]
    public void A_call_rings_at_most_one_operator_and_a_second_offer_is_released()
    {
        var config = Config();
        var s = Run(Queued(config), new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        Assert.Equal(CallPhase.Ringing, s.Phase);
        var (after, d) = Run(s, new CallCommand.Offer(new("r2"), Op2, null), T0.AddSeconds(6), config);
        Assert.False(d.Reply.Accepted);
        Assert.Equal(Op1, after.Operator);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator r && r.Operator == Op2 && r.Reservation.Value == "r2");
    }

    [Fact]
    public void No_answer_puts_the_call_back_with_its_original_arrival_time()
    {
        var config = Config();
        var queued = Queued(config);
        var s = Run(queued, new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        var (back, d) = Run(s, new CallCommand.RingTimeout(new("r1")), T0.AddSeconds(25), config);
        Assert.Equal(CallPhase.Queued, back.Phase);
        Assert.Equal(queued.FirstQueuedAt, back.FirstQueuedAt);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator { Reason: "no-answer", Pause: not null });
        Assert.Contains(d.Effects, e => e is CallEffect.Requeue);
    }

    [Fact]
    public void Caller_hanging_up_while_the_operator_rings_is_abandoned_and_frees_the_operator_without_penalty()
    {
        var config = Config();
        var s = Run(Queued(config), new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        var (ended, d) = Run(s, new CallCommand.HangUp("caller"), T0.AddSeconds(7), config);
        Assert.Equal(CallEndCause.Abandoned, ended.EndCause);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator { Pause: null });
        Assert.Contains(d.Effects, e => e is CallEffect.Dequeue { Reason: "abandoned" });
    }

    [Fact]
    public void An_offer_to_an_ended_call_releases_the_operator()
    {
        var config = Config();
        var s = Run(Queued(config), new CallCommand.HangUp("caller"), T0.AddSeconds(5), config).State;
        var d = s.Process(new CallCommand.Offer(new("r9"), Op1, null), T0.AddSeconds(6), config);
        Assert.False(d.Reply.Accepted);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator r && r.Reservation.Value == "r9");
    }

    [Fact]
    public void An_operator_who_picks_up_as_the_caller_hangs_up_is_freed_again()
    {
        var config = Config();
        var ringing = Run(Queued(config), new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        var ended = Run(ringing, new CallCommand.HangUp("caller"), T0.AddSeconds(6), config).State;
        Assert.Equal(CallEndCause.Abandoned, ended.EndCause);
        // The operator's entity had already confirmed the connection when the hang-up was handled.
        var d = ended.Process(new CallCommand.ConnectResult(new("r1"), true, null, Op1), T0.AddSeconds(6.1), config);
        Assert.False(d.Reply.Accepted);
        Assert.True(d.Events.IsEmpty);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator { UndoConnect: true, Operator.Value: "2001", Reservation.Value: "r1" });
    }

    [Fact]
    public void A_connection_confirmed_after_the_ring_timed_out_frees_the_operator_and_keeps_the_call_waiting()
    {
        var config = Config();
        var ringing = Run(Queued(config), new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        var back = Run(ringing, new CallCommand.RingTimeout(new("r1")), T0.AddSeconds(30), config).State;
        Assert.Equal(CallPhase.Queued, back.Phase);
        var d = back.Process(new CallCommand.ConnectResult(new("r1"), true, null, Op1), T0.AddSeconds(30.1), config);
        Assert.True(d.Events.IsEmpty);
        Assert.Contains(d.Effects, e => e is CallEffect.ReleaseOperator { UndoConnect: true, Operator.Value: "2001" });
        // A refusal from the operator needs nothing undone.
        Assert.True(back.Process(new CallCommand.ConnectResult(new("r1"), false, "gone", Op1), T0.AddSeconds(30.1), config).Effects.IsEmpty);
    }

    [Fact]
    public void Transfer_of_a_connected_call_ends_the_operator_leg_and_queues_it_again()
    {
        var config = Config();
        var s = Run(Queued(config), new CallCommand.Offer(new("r1"), Op1, null), T0.AddSeconds(5), config).State;
        s = Run(s, new CallCommand.ConnectResult(new("r1"), true, null), T0.AddSeconds(8), config).State;
        Assert.Equal(CallPhase.Connected, s.Phase);
        var (moved, d) = Run(s, new CallCommand.Transfer("support", "2001"), T0.AddSeconds(60), config);
        Assert.Equal(CallPhase.Queued, moved.Phase);
        Assert.Equal(QueueId.Of(Demo, "support"), moved.Queue);
        Assert.Contains(d.Effects, e => e is CallEffect.EndOperatorCall { Operator.Value: "2001" });
        Assert.Contains(d.Effects, e => e is CallEffect.Handled { HandleSeconds: 52 });

        var (external, d2) = Run(s, new CallCommand.Transfer("sip:level3@partner.example", "2001"), T0.AddSeconds(60), config);
        Assert.Equal(CallEndCause.TransferredOut, external.EndCause);
        Assert.Contains(d2.Effects, e => e is CallEffect.Channel { Action: "forward", Target: "sip:level3@partner.example" });
        Assert.False(s.Process(new CallCommand.Transfer("nowhere", "2001"), T0, config).Reply.Accepted);
    }
}
