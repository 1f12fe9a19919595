using System.Collections.Immutable;
using Routing.Simulator.Engine;

namespace Routing.Simulator.Scenario;

/// <summary>A distribution of durations in seconds (talk time, patience).</summary>
public abstract record Distribution
{
    public abstract double Sample(Rng rng);

    /// <summary>The mean in seconds (used by the Erlang first guesses).</summary>
    public abstract double Mean { get; }

    /// <summary>Exponential with this mean (memoryless: the M of M/M/n).</summary>
    public sealed record Exponential(double MeanSeconds) : Distribution
    {
        public override double Sample(Rng rng) => rng.Exponential(MeanSeconds);
        public override double Mean => MeanSeconds;
        public override string ToString() => $"exponential(mean {MeanSeconds:0.#}s)";
    }

    /// <summary>Log-normal given by its own mean and standard deviation (not those of the logarithm).</summary>
    public sealed record LogNormal(double MeanSeconds, double StdDevSeconds) : Distribution
    {
        private readonly double _sigma = Math.Sqrt(Math.Log(1 + StdDevSeconds * StdDevSeconds / (MeanSeconds * MeanSeconds)));

        private double Mu => Math.Log(MeanSeconds) - _sigma * _sigma / 2;
        public override double Sample(Rng rng) => Math.Exp(Mu + _sigma * rng.StandardNormal());
        public override double Mean => MeanSeconds;
        public override string ToString() => $"log-normal(mean {MeanSeconds:0.#}s, sd {StdDevSeconds:0.#}s)";
    }

    /// <summary>Resampling of observed values, each equally likely.</summary>
    public sealed record Empirical(ImmutableArray<double> Values) : Distribution
    {
        public override double Sample(Rng rng) => Values[rng.NextInt(Values.Length)];
        public override double Mean => Values.Average();
        public override string ToString() => $"empirical({Values.Length} values, mean {Mean:0.#}s)";
    }

    /// <summary>Always the same value.</summary>
    public sealed record Fixed(double Seconds) : Distribution
    {
        public override double Sample(Rng rng) => Seconds;
        public override double Mean => Seconds;
        public override string ToString() => $"fixed({Seconds:0.#}s)";
    }
}
