using Routing.Domain.Routing;
using static Routing.Domain.Tests.Routing.Fixtures;

namespace Routing.Domain.Tests.Routing;

public class EstimateTests
{
    private static readonly DateTimeOffset Now = T0.S(600);
    private static readonly TimeSpan Aht = TimeSpan.FromSeconds(180);

    [Fact]
    public void Position_counts_the_calls_ahead_in_the_same_queue()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Call("c1", q, Now.S(-30), seq: 1), Call("c2", q, Now.S(-20), seq: 2), Call("c3", q, Now.S(-10), seq: 3));

        Assert.Equal(1, m.Estimate(new CallId("acme/c1"), Now, Aht)!.Position);
        Assert.Equal(3, m.Estimate(new CallId("acme/c3"), Now, Aht)!.Position);
    }

    [Fact]
    public void Position_counts_calls_ahead_in_other_queues_only_when_some_operator_could_take_either()
    {
        var billing = Queue("billing", needs: Needs(("billing", 1)));
        var sales = Queue("sales", needs: Needs(("sales", 1)));
        var french = Queue("french", needs: Needs(("french", 1)));
        var m = Matcher(billing, sales, french)
            .With(Op("both", Now, [("billing", 5), ("sales", 5)], status: OperatorStatus.OnCall))
            .With(Op("fr", Now, [("french", 5)], status: OperatorStatus.WrapUp))
            .With(
                Call("s-old", sales, Now.S(-60), seq: 1),
                Call("f-old", french, Now.S(-50), seq: 1),
                Call("b-old", billing, Now.S(-40), seq: 1),
                Call("b-me", billing, Now.S(-30), seq: 2),
                Call("s-young", sales, Now.S(-5), seq: 2));

        var e = m.Estimate(new CallId("acme/b-me"), Now, Aht)!;

        Assert.Equal(3, e.Position); // b-old (same queue) and s-old (shares "both"); not f-old (disjoint), not s-young (behind)
        Assert.Equal(1, e.ServingOperators);
    }

    [Fact]
    public void Higher_priority_calls_of_other_queues_are_ahead_and_lower_priority_ones_are_not()
    {
        var normal = Queue("normal");
        var vip = Queue("vip", priority: 9);
        var low = Queue("low", priority: -1);
        var m = Matcher(normal, vip, low)
            .With(Op("op", Now, status: OperatorStatus.OnCall))
            .With(Call("me", normal, Now.S(-100), seq: 1), Call("v", vip, Now, seq: 1), Call("l", low, Now.S(-900), seq: 1));

        Assert.Equal(2, m.Estimate(new CallId("acme/me"), Now, Aht)!.Position);
    }

    [Fact]
    public void Expected_wait_is_position_times_handle_time_over_the_operators_able_to_serve()
    {
        var q = Queue("q");
        var m = Matcher(q)
            .With(Op("a", Now, status: OperatorStatus.OnCall), Op("b", Now, status: OperatorStatus.WrapUp), Op("c", Now, status: OperatorStatus.NotReady))
            .With(Op("other", Now, tenants: [Globex]))
            .With(Call("c1", q, Now.S(-30), seq: 1), Call("c2", q, Now.S(-20), seq: 2));

        var e = m.Estimate(new CallId("acme/c2"), Now, Aht)!;

        Assert.Equal(new WaitEstimate(2, TimeSpan.FromSeconds(120), 3), e); // 2 x 180 s / 3
    }

    [Fact]
    public void Expected_wait_with_nobody_logged_in_assumes_one_operator()
    {
        var q = Queue("q");
        var m = Matcher(q).With(Call("c1", q, Now));

        Assert.Equal(new WaitEstimate(1, Aht, 0), m.Estimate(new CallId("acme/c1"), Now, Aht));
    }

    [Fact]
    public void Estimate_of_an_unknown_call_is_null()
    {
        Assert.Null(Matcher(Queue("q")).Estimate(new CallId("acme/none"), Now, Aht));
    }

    [Fact]
    public void Estimate_uses_the_configured_estimator()
    {
        var q = Queue("q");
        var m = new PoolMatcher([q]) { Estimator = new FixedEstimator() }.With(Call("c1", q, Now));

        Assert.Equal(TimeSpan.FromSeconds(7), m.Estimate(new CallId("acme/c1"), Now, Aht)!.ExpectedWait);
    }

    private sealed class FixedEstimator : WaitTimeEstimator
    {
        public override TimeSpan ExpectedWait(int position, int servingOperators, TimeSpan averageHandleTime) => TimeSpan.FromSeconds(7);
    }
}
