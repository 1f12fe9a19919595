namespace Routing.Simulator.Analysis;

/// <summary>Erlang B and C (M/M/n, FIFO, no abandonment): the textbook staffing formulas, in their numerically stable recursive form.</summary>
public static class ErlangC
{
    /// <summary>Erlang B blocking probability for <paramref name="servers"/> and offered load <paramref name="erlangs"/> (λ/μ), by the recursion B(k) = aB(k-1) / (k + aB(k-1)).</summary>
    public static double ErlangB(int servers, double erlangs)
    {
        if (servers < 0) throw new ArgumentOutOfRangeException(nameof(servers));
        if (erlangs <= 0) return servers == 0 ? 1 : 0;
        var b = 1.0;
        for (var k = 1; k <= servers; k++) b = erlangs * b / (k + erlangs * b);
        return b;
    }

    /// <summary>P(wait &gt; 0) for M/M/n: C = nB / (n − a(1 − B)); 1 when the load is not below n.</summary>
    public static double ProbabilityOfWaiting(int servers, double erlangs)
    {
        if (erlangs >= servers) return 1;
        if (erlangs <= 0) return 0;
        var b = ErlangB(servers, erlangs);
        return servers * b / (servers - erlangs * (1 - b));
    }

    /// <summary>Mean wait of all callers (ASA with every call answered): C / (nμ − λ).</summary>
    public static double AverageSpeedOfAnswer(int servers, double arrivalRate, double meanHandleSeconds)
    {
        var a = arrivalRate * meanHandleSeconds;
        if (a >= servers) return double.PositiveInfinity;
        return ProbabilityOfWaiting(servers, a) / (servers / meanHandleSeconds - arrivalRate);
    }

    /// <summary>P(wait ≤ t) = 1 − C·e^{−(nμ−λ)t}.</summary>
    public static double ServiceLevel(int servers, double arrivalRate, double meanHandleSeconds, double targetSeconds)
    {
        var a = arrivalRate * meanHandleSeconds;
        if (a >= servers) return 0;
        return 1 - ProbabilityOfWaiting(servers, a) * Math.Exp(-(servers / meanHandleSeconds - arrivalRate) * targetSeconds);
    }

    /// <summary>The fewest servers for which the Erlang C service level reaches <paramref name="targetFraction"/> within <paramref name="targetSeconds"/>.</summary>
    public static int ServersFor(double arrivalRate, double meanHandleSeconds, double targetFraction, double targetSeconds, int max = 100_000)
    {
        if (arrivalRate <= 0) return 0;
        var n = Math.Max(1, (int)Math.Floor(arrivalRate * meanHandleSeconds) + 1);
        while (n < max && ServiceLevel(n, arrivalRate, meanHandleSeconds, targetSeconds) < targetFraction) n++;
        return n;
    }
}

/// <summary>
/// Erlang A (M/M/n+M: exponential patience) after Garnett, Mandelbaum &amp; Reiman (2002), "Designing a call center with
/// impatient customers", with <c>A(x, y) = x·e^y·y^{−x}·γ(x, y)</c>, <c>x = nμ/θ</c>, <c>y = λ/θ</c>:
/// <c>P(W &gt; 0) = A·E / (1 + (A − 1)·E)</c> with E the Erlang B of n servers,
/// <c>P(Ab | W &gt; 0) = 1/(ρA) + 1 − 1/ρ</c> with ρ = λ/(nμ), and by Little's law for the queue,
/// the mean time in queue of all callers (answered or not) <c>E[W] = P(Ab)/θ</c>.
/// </summary>
public static class ErlangA
{
    public sealed record Result(double ProbabilityOfWaiting, double ProbabilityOfAbandoning, double MeanWaitAllCallers,
        double ProbabilityOfAbandoningIfWaiting);

    /// <param name="servers">n</param>
    /// <param name="arrivalRate">λ per second</param>
    /// <param name="meanHandleSeconds">1/μ</param>
    /// <param name="meanPatienceSeconds">1/θ</param>
    public static Result Compute(int servers, double arrivalRate, double meanHandleSeconds, double meanPatienceSeconds)
    {
        if (servers <= 0 || arrivalRate <= 0 || meanHandleSeconds <= 0 || meanPatienceSeconds <= 0)
            throw new ArgumentOutOfRangeException(nameof(servers), "Erlang A needs positive servers, rates and means");
        var mu = 1 / meanHandleSeconds;
        var theta = 1 / meanPatienceSeconds;
        var a = A(servers * mu / theta, arrivalRate / theta);
        var e = ErlangC.ErlangB(servers, arrivalRate / mu);
        var pWait = a * e / (1 + (a - 1) * e);
        var rho = arrivalRate / (servers * mu);
        var pAbIfWait = 1 / (rho * a) + 1 - 1 / rho;
        var pAb = pAbIfWait * pWait;
        return new Result(pWait, pAb, pAb / theta, pAbIfWait);
    }

    /// <summary>
    /// A(x, y) = x·e^y·y^{−x}·γ(x, y) = Σ_{k≥0} y^k / ((x+1)(x+2)…(x+k)). The series (all terms positive, decreasing once
    /// x + k &gt; y) is used while y &lt; x + 1; above, γ = Γ(x)·(1 − Q(x, y)) with Q from its continued fraction, in logarithms.
    /// </summary>
    public static double A(double x, double y)
    {
        if (x <= 0 || y < 0) throw new ArgumentOutOfRangeException(nameof(x));
        if (y == 0) return 1;
        if (y < x + 1)
        {
            double sum = 1, term = 1;
            for (var k = 1; k < 100_000; k++)
            {
                term *= y / (x + k);
                sum += term;
                if (term < sum * 1e-16) break;
            }
            return sum;
        }
        var logGamma = Gamma.LogGamma(x) + Math.Log(Gamma.LowerRegularized(x, y));
        return Math.Exp(Math.Log(x) + y - x * Math.Log(y) + logGamma);
    }
}

/// <summary>The gamma function's logarithm and the regularized incomplete gamma functions (series and continued fraction).</summary>
public static class Gamma
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; about 15 significant digits).</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0) throw new ArgumentOutOfRangeException(nameof(x));
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < Lanczos.Length; i++) a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>P(a, x) = γ(a, x) / Γ(a).</summary>
    public static double LowerRegularized(double a, double x)
    {
        if (x <= 0) return 0;
        return x < a + 1 ? Series(a, x) : 1 - ContinuedFraction(a, x);
    }

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a).</summary>
    public static double UpperRegularized(double a, double x)
    {
        if (x <= 0) return 1;
        return x < a + 1 ? 1 - Series(a, x) : ContinuedFraction(a, x);
    }

    private static double Series(double a, double x)
    {
        double ap = a, sum = 1 / a, del = sum;
        for (var n = 0; n < 100_000; n++)
        {
            ap++;
            del *= x / ap;
            sum += del;
            if (Math.Abs(del) < Math.Abs(sum) * 1e-16) break;
        }
        return sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a));
    }

    /// <summary>Lentz's method for the continued fraction of Q(a, x), valid for x &gt;= a + 1.</summary>
    private static double ContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (var i = 1; i < 100_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-16) break;
        }
        return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
    }
}
