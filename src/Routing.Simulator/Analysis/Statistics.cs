namespace Routing.Simulator.Analysis;

/// <summary>A mean over independent replications with its confidence interval (Student t).</summary>
public sealed record Estimate(double Mean, double HalfWidth, int Replications, double Confidence)
{
    public double Low => Mean - HalfWidth;
    public double High => Mean + HalfWidth;
    public bool Contains(double value) => value >= Low && value <= High;
    public override string ToString() => $"{Mean:G5} ± {HalfWidth:G3} ({Confidence:P0}, n={Replications})";

    /// <summary>The mean of <paramref name="values"/> and the half-width of its <paramref name="confidence"/> interval.</summary>
    public static Estimate Of(IReadOnlyList<double> values, double confidence = 0.99)
    {
        var n = values.Count;
        if (n == 0) return new Estimate(double.NaN, double.NaN, 0, confidence);
        var mean = values.Average();
        if (n == 1) return new Estimate(mean, double.PositiveInfinity, 1, confidence);
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var t = Quantiles.StudentT(1 - (1 - confidence) / 2, n - 1);
        return new Estimate(mean, t * Math.Sqrt(variance / n), n, confidence);
    }
}

/// <summary>Quantiles of the normal and Student t distributions.</summary>
public static class Quantiles
{
    /// <summary>Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double Normal(double p)
    {
        if (p is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p));
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -Normal(1 - p);
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    /// <summary>Student t quantile by the Cornish–Fisher expansion around the normal (error below 1e-3 for ν ≥ 5).</summary>
    public static double StudentT(double p, int degreesOfFreedom)
    {
        var z = Normal(p);
        double v = degreesOfFreedom, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
    }
}
