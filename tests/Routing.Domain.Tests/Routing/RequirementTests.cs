using Routing.Domain.Config;
using Routing.Domain.Routing;
using static Routing.Domain.Tests.Routing.Fixtures;

namespace Routing.Domain.Tests.Routing;

public class RequirementTests
{
    private static readonly DateTimeOffset Now = T0.S(600);

    [Fact]
    public void An_operator_needs_every_required_skill_at_the_minimum_level_or_better()
    {
        var q = Queue("billing", needs: Needs(("billing", 5), ("english", 3)));
        var m = Matcher(q).With(
                Op("low", Now.S(-900), [("billing", 4), ("english", 9)]),
                Op("missing", Now.S(-900), [("billing", 9)]),
                Op("exact", Now.S(-1), [("billing", 5), ("english", 3)]))
            .With(Call("c1", q, Now));

        var d = m.Match(Now).One();

        Assert.Equal("exact", d.Chosen());
        Assert.Equal(1, d.CandidateCount);
        Assert.Equal(0, d.RelaxationStep);
        Assert.Equal(q.Requirements, d.Requirements);
    }

    [Fact]
    public void Requirements_relax_after_the_configured_wait_and_the_decision_says_which_step()
    {
        var q = Queue("billing", needs: Needs(("billing", 8)), relax: [After(30, ("billing", 4)), After(60, ("general", 1))]);
        var m = Matcher(q).With(Op("junior", Now.S(-100), [("billing", 5)])).With(Call("c1", q, Now));

        Assert.Empty(m.Match(Now.S(29)));
        Assert.Equal(Now.S(30), m.NextRelaxationAt(Now.S(29)));

        var d = m.Match(Now.S(30)).One();

        Assert.Equal("junior", d.Chosen());
        Assert.Equal(1, d.RelaxationStep);
        Assert.Equal(("billing", 4), (d.Requirements[0].Skill, d.Requirements[0].MinLevel));
        Assert.Contains("relaxed by step 1 after 30s", d.Why);
    }

    [Fact]
    public void The_last_step_due_replaces_the_earlier_ones_even_when_it_is_stricter()
    {
        var q = Queue("q", needs: Needs(("a", 9)), relax: [After(10, ("a", 1)), After(20, ("b", 5))]);
        var m = Matcher(q).With(Op("a-only", Now.S(-100), [("a", 5)])).With(Call("c1", q, Now.S(-25)));

        Assert.Empty(m.Match(Now)); // step 2 needs b; the "a 1" of step 1 no longer applies
        m.UpsertOperator(Op("b-only", Now, [("b", 5)]));
        var d = m.Match(Now).One();
        Assert.Equal("b-only", d.Chosen());
        Assert.Equal(2, d.RelaxationStep);
    }

    [Fact]
    public void Relaxation_steps_apply_by_delay_whatever_their_order_in_the_configuration()
    {
        var q = Queue("q", needs: Needs(("a", 9)), relax: [After(60, ("c", 1)), After(10, ("b", 1))]);
        var m = Matcher(q).With(Op("b", Now.S(-100), [("b", 5)]), Op("c", Now.S(-10), [("c", 5)])).With(Call("c1", q, Now.S(-15)));

        var d = m.Match(Now).One();

        Assert.Equal("b", d.Chosen());
        Assert.Equal(2, d.RelaxationStep); // the index in the configuration, 1-based
    }

    [Fact]
    public void Next_relaxation_at_is_the_earliest_future_change_over_all_waiting_calls()
    {
        var q = Queue("q", needs: Needs(("a", 9)), relax: [After(10, ("a", 5)), After(60, ("a", 1))]);
        var m = Matcher(q).With(Call("c1", q, Now.S(-15), seq: 1), Call("c2", q, Now.S(-5), seq: 2));

        Assert.Equal(Now.S(5), m.NextRelaxationAt(Now)); // c2 reaches 10 s
        Assert.Equal(Now.S(45), m.NextRelaxationAt(Now.S(5))); // then c1 reaches 60 s
        m.RemoveCall(new CallId("acme/c1"));
        Assert.Equal(Now.S(55), m.NextRelaxationAt(Now.S(5)));
        Assert.Null(m.NextRelaxationAt(Now.S(100)));
        Assert.Null(Matcher(Queue("plain")).With(Call("x", Queue("plain"), Now)).NextRelaxationAt(Now));
    }

    [Fact]
    public void Extra_tiers_escalate_a_waiting_call_to_second_line_operators()
    {
        var q = Queue("support", tiers: [1]);
        var m = Matcher(q).With(Op("second-line", Now.S(-100), tier: 2)).With(Call("c1", q, Now.S(-90)));

        Assert.Empty(m.Match(Now));

        m.UpsertCall(Call("c1", q, Now.S(-90), extraTiers: [2]));
        Assert.Equal("second-line", m.Match(Now).One().Chosen());
    }

    [Fact]
    public void An_operator_not_serving_a_tenant_is_never_matched_to_its_calls()
    {
        var acme = Queue("sales", Acme);
        var globex = Queue("sales", Globex);
        var m = Matcher(acme, globex)
            .With(Op("acme-only", Now.S(-500), tenants: [Acme]))
            .With(Call("g1", globex, Now.S(-300), seq: 1), Call("a1", acme, Now.S(-1), seq: 1));

        var d = m.Match(Now).One();

        Assert.Equal("acme/a1", d.Call.Value);
        Assert.Empty(m.Match(Now.S(1000)));
        Assert.Equal("globex/g1", Assert.Single(m.WaitingCalls).Id.Value);
    }

    [Fact]
    public void An_operator_of_a_shared_pool_serves_the_oldest_call_of_either_tenant()
    {
        var acme = Queue("sales", Acme);
        var globex = Queue("sales", Globex);
        var m = Matcher(acme, globex)
            .With(Op("shared", Now.S(-500), tenants: [Acme, Globex]))
            .With(Call("a1", acme, Now.S(-100), seq: 1), Call("g1", globex, Now.S(-300), seq: 1));

        Assert.Equal("globex/g1", m.Match(Now).One().Call.Value);
    }

    [Fact]
    public void A_call_of_a_queue_missing_from_the_configuration_is_routed_with_default_settings()
    {
        var known = Queue("known");
        var m = Matcher(known).With(Op("op", Now.S(-1)));
        m.UpsertCall(new WaitingCall(new CallId("acme/x"), QueueId.Of(Acme, "removed"), 0, Now.S(-10), 1, []));

        Assert.Equal("acme/x", m.Match(Now).One().Call.Value);
    }

    [Fact]
    public void Changing_the_queue_configuration_applies_to_calls_already_waiting()
    {
        var q = Queue("q", needs: Needs(("a", 9)));
        var m = Matcher(q).With(Op("op", Now.S(-1), [("a", 3)])).With(Call("c1", q, Now.S(-10)));
        Assert.Empty(m.Match(Now));

        m.SetQueues([q with { Requirements = Needs(("a", 3)) }]);

        Assert.Equal("op", m.Match(Now).One().Chosen());
    }

    [Fact]
    public void Any_logged_in_could_serve_counts_busy_operators_but_not_other_tenants_or_tiers()
    {
        var q = Queue("billing", needs: Needs(("billing", 5)), tiers: [1]);
        var m = Matcher(q).With(Call("c1", q, Now));
        var call = new CallId("acme/c1");

        Assert.False(m.AnyLoggedInCouldServe(call, Now)); // nobody logged in

        m.UpsertOperator(Op("other-tenant", Now, [("billing", 9)], tenants: [Globex]));
        m.UpsertOperator(Op("second-line", Now, [("billing", 9)], tier: 2));
        m.UpsertOperator(Op("junior", Now, [("billing", 2)]));
        Assert.False(m.AnyLoggedInCouldServe(call, Now));

        m.UpsertOperator(Op("busy", Now, [("billing", 6)], status: OperatorStatus.OnCall));
        Assert.True(m.AnyLoggedInCouldServe(call, Now));

        m.UpsertOperator(Op("busy", Now, status: OperatorStatus.LoggedOut));
        Assert.False(m.AnyLoggedInCouldServe(call, Now));
        Assert.False(m.AnyLoggedInCouldServe(new CallId("acme/unknown"), Now));
    }

    [Fact]
    public void Any_logged_in_could_serve_looks_ahead_to_later_relaxation_steps()
    {
        var q = Queue("billing", needs: Needs(("billing", 8)), relax: After(60, ("billing", 2)));
        var m = Matcher(q).With(Call("c1", q, Now)).With(Op("junior", Now, [("billing", 3)], status: OperatorStatus.NotReady));

        Assert.True(m.AnyLoggedInCouldServe(new CallId("acme/c1"), Now));
    }

    [Fact]
    public void Any_logged_in_could_serve_considers_the_extra_tiers_of_an_escalated_call()
    {
        var q = Queue("support", tiers: [1]);
        var m = Matcher(q).With(Op("second-line", Now, tier: 2)).With(Call("c1", q, Now));
        Assert.False(m.AnyLoggedInCouldServe(new CallId("acme/c1"), Now));

        m.UpsertCall(Call("c1", q, Now, extraTiers: [2]));
        Assert.True(m.AnyLoggedInCouldServe(new CallId("acme/c1"), Now));
    }
}
