using Routing.Domain.Config;
using Routing.Domain.Routing;
using static Routing.Domain.Tests.Routing.Fixtures;

namespace Routing.Domain.Tests.Routing;

public class DecisionTests
{
    private static readonly DateTimeOffset Now = T0.S(600);

    [Fact]
    public void A_decision_lists_the_top_five_candidates_with_scores_and_reasons_and_counts_them_all()
    {
        var q = Queue("q", needs: Needs(("billing", 1)));
        var m = Matcher(q);
        for (var i = 1; i <= 8; i++) m.UpsertOperator(Op($"op{i}", Now.S(-10 * i), [("billing", i)]));
        m.UpsertCall(Call("c1", q, Now.S(-3)));

        var d = m.Match(Now).One();

        Assert.Equal(8, d.CandidateCount);
        Assert.Equal(["op8", "op7", "op6", "op5", "op4"], d.TopCandidates.Select(c => c.Operator.Value));
        Assert.Equal([80.0, 70, 60, 50, 40], d.TopCandidates.Select(c => c.Score));
        Assert.Equal("idle 80s", d.TopCandidates[0].Reason);
        Assert.Equal("longest-idle: op8 idle 80s, longest of 8 fitting operators", d.Why);
        Assert.Equal(Now, d.DecidedAt);
        Assert.Equal(q.Id, d.Queue);
    }

    [Fact]
    public void A_single_candidate_is_explained_in_the_singular()
    {
        var q = Queue("q", strategy: RoutingStrategy.FewestCalls);
        var m = Matcher(q).With(Op("solo", Now.S(-5), calls: 4)).With(Call("c1", q, Now));

        Assert.Equal("fewest-calls: solo handled 4 calls, fewest of 1 fitting operator", m.Match(Now).One().Why);
    }
}

public class TransferToOperatorTests
{
    private static readonly DateTimeOffset Now = T0.S(600);

    [Fact]
    public void A_call_for_one_operator_waits_for_them_even_when_others_fit_and_takes_them_outside_its_tiers_and_skills()
    {
        var q = Queue("q", needs: Needs(("billing", 5)), tiers: [1]);
        var m = Matcher(q)
            .With(Op("first-line", Now.S(-100), [("billing", 9)], tier: 1))
            .With(Call("for-expert", q, Now.S(-50)) with { Only = new OperatorId("expert") })
            .With(Call("anyone", q, Now.S(-10)));

        // The longer-waiting call is for the expert, who is not ready: the first-line operator takes the other one.
        var d = m.Match(Now).One();
        Assert.Equal(("acme/anyone", "first-line"), (d.Call.Value, d.Chosen.Value));

        // The expert (tier 3, no billing skill at all) becomes ready: the waiting call is theirs.
        m.UpsertOperator(Op("expert", Now, [("legal", 10)], tier: 3));
        var e = m.Match(Now.S(1)).One();
        Assert.Equal(("acme/for-expert", "expert"), (e.Call.Value, e.Chosen.Value));
    }
}
