using Routing.Domain.Config;
using Routing.Domain.Routing;
using static Routing.Domain.Tests.Routing.Fixtures;

namespace Routing.Domain.Tests.Routing;

public class StrategyTests
{
    private static readonly DateTimeOffset Now = T0.S(600);

    [Fact]
    public void Longest_idle_picks_the_operator_idle_longest()
    {
        var q = Queue("sales");
        var m = Matcher(q).With(Op("2001", Now.S(-30)), Op("2003", Now.S(-95)), Op("2002", Now.S(-60)))
            .With(Call("c1", q, Now.S(-5)));

        var d = m.Match(Now).One();

        Assert.Equal("2003", d.Chosen());
        Assert.Equal(RoutingStrategy.LongestIdle, d.Strategy);
        Assert.Equal("longest-idle: 2003 idle 95s, longest of 3 fitting operators", d.Why);
    }

    [Fact]
    public void Longest_idle_breaks_ties_by_operator_id()
    {
        var q = Queue("sales");
        var m = Matcher(q).With(Op("b", Now.S(-30)), Op("a", Now.S(-30))).With(Call("c1", q, Now));

        Assert.Equal("a", m.Match(Now).One().Chosen());
    }

    [Fact]
    public void Round_robin_gives_the_queue_the_operator_after_the_last_one_by_id_and_wraps_round()
    {
        var q = Queue("sales", strategy: RoutingStrategy.RoundRobin);
        var m = Matcher(q).With(Op("op1", Now.S(-1)), Op("op2", Now.S(-500)), Op("op3", Now.S(-2)));
        var given = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            m.UpsertCall(Call($"c{i}", q, Now.S(-10)));
            var d = m.Match(Now).One();
            given.Add(d.Chosen());
            m.UpsertOperator(m.FindOperator(d.Chosen)! with { Status = OperatorStatus.Ready, StatusSince = Now });
        }

        Assert.Equal(["op1", "op2", "op3", "op1", "op2"], given);
    }

    [Fact]
    public void Round_robin_skips_operators_that_are_not_ready_and_keeps_a_rotation_per_queue()
    {
        var sales = Queue("sales", strategy: RoutingStrategy.RoundRobin);
        var support = Queue("support", strategy: RoutingStrategy.RoundRobin);
        var m = Matcher(sales, support).With(Op("op1", Now), Op("op2", Now), Op("op3", Now));

        m.UpsertCall(Call("s1", sales, Now.S(-10)));
        Assert.Equal("op1", m.Match(Now).One().Chosen()); // op1 now reserved

        m.UpsertCall(Call("s2", sales, Now.S(-9)));
        Assert.Equal("op2", m.Match(Now).One().Chosen());

        // The support queue has its own rotation: it starts at the first ready operator by id.
        m.UpsertCall(Call("p1", support, Now.S(-8)));
        var d = m.Match(Now).One();
        Assert.Equal("op3", d.Chosen());
        Assert.StartsWith("round-robin: op3 is first in this queue's rotation", d.Why);

        m.UpsertOperator(Op("op1", Now));
        m.UpsertCall(Call("s3", sales, Now.S(-7)));
        d = m.Match(Now).One();
        Assert.Equal("op1", d.Chosen()); // after op2 comes op3 (reserved), then wraps round to op1
        Assert.Contains("comes next after op2", d.Why);
    }

    [Fact]
    public void Fewest_calls_picks_the_operator_with_fewest_handled_calls_and_breaks_ties_by_idle_time()
    {
        var q = Queue("sales", strategy: RoutingStrategy.FewestCalls);
        var m = Matcher(q).With(
                Op("a", Now.S(-300), calls: 12),
                Op("b", Now.S(-10), calls: 3),
                Op("c", Now.S(-50), calls: 3))
            .With(Call("c1", q, Now));

        var d = m.Match(Now).One();

        Assert.Equal("c", d.Chosen());
        Assert.Equal(["c", "b", "a"], d.TopCandidates.Select(c => c.Operator.Value));
        Assert.Equal("3 calls, idle 50s", d.TopCandidates[0].Reason);
    }

    [Fact]
    public void Least_talk_time_picks_the_operator_who_talked_least_and_breaks_ties_by_idle_time()
    {
        var q = Queue("sales", strategy: RoutingStrategy.LeastTalkTime);
        var m = Matcher(q).With(
                Op("a", Now.S(-300), talk: TimeSpan.FromMinutes(40)),
                Op("b", Now.S(-10), talk: TimeSpan.FromMinutes(5)),
                Op("c", Now.S(-20), talk: TimeSpan.FromMinutes(5)),
                Op("d", Now.S(-900), talk: TimeSpan.FromMinutes(6)))
            .With(Call("c1", q, Now));

        var d = m.Match(Now).One();

        Assert.Equal("c", d.Chosen());
        Assert.Equal(["c", "b", "d", "a"], d.TopCandidates.Select(c => c.Operator.Value));
    }

    [Fact]
    public void Top_down_prefers_the_lowest_tier_then_the_highest_level_then_the_operator_id()
    {
        var q = Queue("billing", strategy: RoutingStrategy.TopDown, needs: Needs(("billing", 3)));
        var m = Matcher(q).With(
                Op("t2-best", Now.S(-900), [("billing", 10)], tier: 2),
                Op("t1-b", Now.S(-1), [("billing", 7)], tier: 1),
                Op("t1-a", Now.S(-2), [("billing", 7)], tier: 1),
                Op("t1-c", Now.S(-900), [("billing", 5)], tier: 1))
            .With(Call("c1", q, Now));

        var d = m.Match(Now).One();

        Assert.Equal("t1-a", d.Chosen());
        Assert.Equal(["t1-a", "t1-b", "t1-c", "t2-best"], d.TopCandidates.Select(c => c.Operator.Value));
        Assert.Equal("tier 1, level 7 in billing", d.TopCandidates[0].Reason);
    }

    [Fact]
    public void Best_skill_picks_the_highest_sum_of_levels_over_the_required_skills()
    {
        var q = Queue("billing", strategy: RoutingStrategy.BestSkill, needs: Needs(("billing", 3), ("english", 1)));
        var m = Matcher(q).With(
                Op("a", Now.S(-900), [("billing", 9), ("english", 2), ("french", 10)]),
                Op("b", Now.S(-1), [("billing", 6), ("english", 6)]),
                Op("c", Now.S(-5), [("billing", 7), ("english", 5)]))
            .With(Call("c1", q, Now));

        var d = m.Match(Now).One();

        Assert.Equal("c", d.Chosen()); // 12 = 12 > 11: tie between b and c goes to the longer idle
        Assert.Equal("best-skill: c has levels 7+5 in billing+english, best of 3 fitting operators", d.Why);
    }

    [Fact]
    public void Best_skill_scores_on_the_queue_skills_when_relaxation_removed_every_requirement()
    {
        var q = Queue("billing", strategy: RoutingStrategy.BestSkill, needs: Needs(("billing", 5)), relax: After(30));
        var m = Matcher(q).With(
                Op("none", Now.S(-900)),
                Op("weak", Now.S(-900), [("billing", 2)]),
                Op("strong", Now.S(-1), [("billing", 9)]))
            .With(Call("c1", q, Now.S(-40)));

        var d = m.Match(Now).One();

        Assert.Equal("strong", d.Chosen());
        Assert.Equal(3, d.CandidateCount);
        Assert.Equal(1, d.RelaxationStep);
        Assert.Empty(d.Requirements);
    }
}
