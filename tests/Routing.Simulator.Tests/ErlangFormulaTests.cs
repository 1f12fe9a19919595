using Routing.Simulator.Analysis;

namespace Routing.Simulator.Tests;

public class ErlangFormulaTests
{
    [Theory]
    // Reference values from the Erlang B table (e.g. 10 servers, 5 Erl: 1.838%).
    [InlineData(10, 5.0, 0.018384)]
    [InlineData(1, 1.0, 0.5)]
    [InlineData(100, 80.0, 0.003992)]
    public void Erlang_B_matches_the_table(int n, double a, double expected) =>
        Assert.Equal(expected, ErlangC.ErlangB(n, a), 5);

    [Fact]
    public void Erlang_B_recursion_is_stable_for_thousands_of_servers()
    {
        var b = ErlangC.ErlangB(5000, 4900);
        Assert.InRange(b, 1e-4, 1e-2);
        Assert.False(double.IsNaN(ErlangC.ProbabilityOfWaiting(5000, 4900)));
    }

    [Fact]
    public void Erlang_C_single_server_is_the_utilisation()
    {
        // M/M/1: P(wait) = ρ, ASA = ρ/(μ − λ).
        Assert.Equal(0.7, ErlangC.ProbabilityOfWaiting(1, 0.7), 12);
        Assert.Equal(0.7 / (1.0 / 60 - 0.7 / 60), ErlangC.AverageSpeedOfAnswer(1, 0.7 / 60, 60), 9);
    }

    [Fact]
    public void Erlang_C_known_value_and_staffing()
    {
        // 10 Erl offered: Erlang C with 11 servers is 0.6821 (tables).
        Assert.Equal(0.6821, ErlangC.ProbabilityOfWaiting(11, 10), 3);
        // 100 calls per 30 min of 180 s = 10 Erl; 80/20 needs 14 operators (the classic worked example).
        Assert.Equal(14, ErlangC.ServersFor(100.0 / 1800, 180, 0.8, 20));
    }

    [Theory]
    [InlineData(3.0, 1.0)]
    [InlineData(50.0, 40.0)]
    [InlineData(20.0, 30.0)]
    [InlineData(2.0, 400.0)]
    public void Incomplete_gamma_halves_add_up_to_one(double a, double x) =>
        Assert.Equal(1.0, Gamma.LowerRegularized(a, x) + Gamma.UpperRegularized(a, x), 12);

    [Fact]
    public void Incomplete_gamma_matches_closed_forms()
    {
        // P(1, x) = 1 − e^{−x}; P(2, x) = 1 − (1 + x)e^{−x}.
        Assert.Equal(1 - Math.Exp(-0.5), Gamma.LowerRegularized(1, 0.5), 13);
        Assert.Equal(1 - 4 * Math.Exp(-3), Gamma.LowerRegularized(2, 3), 13);
        Assert.Equal(Math.Log(24), Gamma.LogGamma(5), 12);
    }

    [Fact]
    public void A_function_series_and_continued_fraction_agree_at_the_seam()
    {
        // A(x, y) switches method at y = x + 1: both sides must meet.
        var x = 30.0;
        var below = ErlangA.A(x, x + 1 - 1e-9);
        var above = ErlangA.A(x, x + 1 + 1e-9);
        Assert.Equal(below, above, 6);
    }

    [Fact]
    public void Erlang_A_with_patience_equal_to_handle_time_is_the_infinite_server_queue()
    {
        // θ = μ: every caller leaves the system at rate μ, waiting or talking, so the number in system is Poisson(λ/μ)
        // and P(wait) = P(N ≥ n).
        int n = 10;
        double lambda = 12.0 / 60, aht = 60;
        var r = ErlangA.Compute(n, lambda, aht, meanPatienceSeconds: aht);
        var a = lambda * aht;
        var below = 0.0;
        var term = Math.Exp(-a);
        for (var k = 0; k < n; k++)
        {
            below += term;
            term *= a / (k + 1);
        }
        Assert.Equal(1 - below, r.ProbabilityOfWaiting, 9);
    }

    [Fact]
    public void Erlang_A_tends_to_Erlang_C_when_callers_are_very_patient()
    {
        var c = ErlangC.ProbabilityOfWaiting(10, 8);
        var a = ErlangA.Compute(10, 8.0 / 60, 60, meanPatienceSeconds: 1e7);
        Assert.Equal(c, a.ProbabilityOfWaiting, 3);
        Assert.True(a.ProbabilityOfAbandoning < 1e-4);
    }

    [Fact]
    public void Erlang_A_overload_abandons_the_excess()
    {
        // ρ = 1.5 with impatient callers: at least a third of the offered load must leave.
        var r = ErlangA.Compute(20, 30.0 / 60, 60, 30);
        // Throughput λ(1 − P(Ab)) cannot exceed nμ, so P(Ab) ≥ 1 − nμ/λ = 1/3.
        Assert.InRange(r.ProbabilityOfAbandoning, 1.0 / 3, 1);
        Assert.InRange(r.ProbabilityOfWaiting, r.ProbabilityOfAbandoning, 1);
    }

    [Fact]
    public void Student_t_quantiles_match_the_table()
    {
        Assert.InRange(Quantiles.StudentT(0.995, 29), 2.756 - 0.002, 2.756 + 0.002);
        Assert.InRange(Quantiles.StudentT(0.975, 29), 2.045 - 0.002, 2.045 + 0.002);
        Assert.InRange(Quantiles.StudentT(0.995, 9), 3.250 - 0.01, 3.250 + 0.01);
        Assert.InRange(Quantiles.Normal(0.995), 2.5758 - 0.0001, 2.5758 + 0.0001);
    }
}
