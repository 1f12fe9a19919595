using Routing.Domain.Routing;
using static Routing.Domain.Tests.Routing.Fixtures;

namespace Routing.Domain.Tests.Routing;

public class PoolOrderTests
{
    private static readonly DateTimeOffset Now = T0.S(600);

    [Fact]
    public void Higher_priority_call_is_served_first_across_queues_even_if_younger()
    {
        var normal = Queue("normal", priority: 0);
        var vip = Queue("vip", priority: 5);
        var m = Matcher(normal, vip)
            .With(Call("old", normal, Now.S(-300), seq: 1), Call("vip", vip, Now.S(-1), seq: 1))
            .With(Op("op", Now.S(-10)));

        Assert.Equal("acme/vip", m.Match(Now).One().Call.Value);
        Assert.Equal(1, m.WaitingCount);
    }

    [Fact]
    public void With_equal_weights_the_oldest_call_of_the_pool_is_served_first_whatever_its_queue()
    {
        var a = Queue("a");
        var b = Queue("b");
        var c = Queue("c");
        var m = Matcher(a, b, c).With(
            Call("a1", a, Now.S(-10), seq: 1),
            Call("b1", b, Now.S(-40), seq: 1),
            Call("c1", c, Now.S(-25), seq: 1),
            Call("a2", a, Now.S(-5), seq: 2));

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            m.UpsertOperator(Op($"op{i}", Now.S(-1)));
            order.Add(m.Match(Now).One().Call.Value);
        }

        Assert.Equal(["acme/b1", "acme/c1", "acme/a1", "acme/a2"], order);
    }

    [Fact]
    public void Matching_several_calls_at_once_follows_pool_order()
    {
        var a = Queue("a");
        var b = Queue("b");
        var m = Matcher(a, b)
            .With(Call("a1", a, Now.S(-10), seq: 1), Call("b1", b, Now.S(-40), seq: 1), Call("b2", b, Now.S(-5), seq: 2))
            .With(Op("x", Now.S(-100)), Op("y", Now.S(-50)));

        var decisions = m.Match(Now);

        Assert.Equal(["acme/b1", "acme/a1"], decisions.Select(d => d.Call.Value));
        Assert.Equal(["x", "y"], decisions.Select(d => d.Chosen())); // the longest idle goes to the oldest call
    }

    [Fact]
    public void A_queue_weight_lets_its_younger_call_go_before_an_older_one()
    {
        var plain = Queue("plain", weight: 1.0);
        var heavy = Queue("heavy", weight: 3.0);
        var m = Matcher(plain, heavy)
            .With(Call("old", plain, Now.S(-50), seq: 1), Call("young", heavy, Now.S(-20), seq: 1)) // 50 < 20 x 3
            .With(Op("op", Now));

        Assert.Equal("acme/young", m.Match(Now).One().Call.Value);
    }

    [Fact]
    public void A_queue_weight_below_the_ratio_of_waits_does_not_change_the_order()
    {
        var plain = Queue("plain", weight: 1.0);
        var heavy = Queue("heavy", weight: 2.0);
        var m = Matcher(plain, heavy)
            .With(Call("old", plain, Now.S(-50), seq: 1), Call("young", heavy, Now.S(-20), seq: 1)) // 50 > 20 x 2
            .With(Op("op", Now));

        Assert.Equal("acme/old", m.Match(Now).One().Call.Value);
    }

    [Fact]
    public void Calls_enqueued_at_the_same_moment_are_served_in_arrival_sequence()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Call("z", q, Now.S(-5), seq: 1), Call("a", q, Now.S(-5), seq: 2));
        m.UpsertOperator(Op("op", Now));

        Assert.Equal("acme/z", m.Match(Now).One().Call.Value);
    }

    [Fact]
    public void A_call_no_ready_operator_fits_is_skipped_and_the_next_call_is_served()
    {
        var french = Queue("french", needs: Needs(("french", 1)));
        var english = Queue("english", needs: Needs(("english", 1)));
        var m = Matcher(french, english)
            .With(Call("fr", french, Now.S(-60), seq: 1), Call("en", english, Now.S(-10), seq: 1))
            .With(Op("op", Now, [("english", 5)]));

        Assert.Equal("acme/en", m.Match(Now).One().Call.Value);
        Assert.Equal(["acme/fr"], m.WaitingCalls.Select(c => c.Id.Value));
    }

    [Fact]
    public void A_matched_operator_is_reserved_and_not_matched_again_until_it_is_ready_again()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Call("c1", q, Now.S(-20), seq: 1), Call("c2", q, Now.S(-10), seq: 2)).With(Op("op", Now.S(-5)));

        Assert.Equal("acme/c1", m.Match(Now).One().Call.Value);
        Assert.Equal(OperatorStatus.Reserved, m.FindOperator(new OperatorId("op"))!.Status);
        Assert.Equal(0, m.ReadyCount);
        Assert.Empty(m.Match(Now.S(1)));

        m.UpsertOperator(Op("op", Now.S(60)));
        Assert.Equal("acme/c2", m.Match(Now.S(60)).One().Call.Value);
    }

    [Fact]
    public void Max_limits_the_decisions_and_the_remaining_matches_come_at_the_next_match()
    {
        var q = Queue("q");
        var m = Matcher(q)
            .With(Call("c1", q, Now.S(-30), seq: 1), Call("c2", q, Now.S(-20), seq: 2), Call("c3", q, Now.S(-10), seq: 3))
            .With(Op("a", Now), Op("b", Now), Op("c", Now));

        Assert.Equal(["acme/c1"], m.Match(Now, max: 1).Select(d => d.Call.Value));
        Assert.Equal(["acme/c2", "acme/c3"], m.Match(Now).Select(d => d.Call.Value));
    }

    [Fact]
    public void Operator_not_ready_or_logged_out_is_not_matched_and_logged_out_removes_it()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Op("busy", Now.S(-99), status: OperatorStatus.OnCall), Op("gone", Now.S(-99)))
            .With(Call("c1", q, Now));
        m.UpsertOperator(Op("gone", Now, status: OperatorStatus.LoggedOut));

        Assert.Empty(m.Match(Now));
        Assert.Equal(1, m.LoggedInCount);
        Assert.Equal(0, m.ReadyCount);
    }

    [Fact]
    public void A_removed_call_is_not_matched()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Call("c1", q, Now.S(-20), seq: 1), Call("c2", q, Now.S(-10), seq: 2));
        m.RemoveCall(new CallId("acme/c1"));
        m.UpsertOperator(Op("op", Now));

        Assert.Equal("acme/c2", m.Match(Now).One().Call.Value);
        Assert.Equal(0, m.WaitingCount);
    }

    [Fact]
    public void In_pool_order_lists_the_calls_as_they_would_be_served()
    {
        var a = Queue("a");
        var vip = Queue("vip", priority: 1);
        var m = Matcher(a, vip).With(Call("a1", a, Now.S(-30), seq: 1), Call("a2", a, Now.S(-40), seq: 2), Call("v", vip, Now, seq: 1));

        Assert.Equal(["acme/v", "acme/a2", "acme/a1"], m.InPoolOrder(Now).Select(c => c.Id.Value));
    }
}
