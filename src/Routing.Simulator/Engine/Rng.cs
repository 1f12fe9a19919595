namespace Routing.Simulator.Engine;

/// <summary>
/// xoshiro256** seeded by SplitMix64: fast, and the same numbers on every runtime and platform (unlike System.Random's
/// seeding, which .NET may change). Each random purpose gets its own stream, so that changing one thing in a scenario
/// (say, one more operator) leaves the arrivals, talk times and patience draws of the other things unchanged.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>An independent stream named by <paramref name="purpose"/>, derived from the run's <paramref name="seed"/>.</summary>
    public static Rng Stream(ulong seed, string purpose)
    {
        // FNV-1a: string.GetHashCode is randomized per process, so it cannot name a stream.
        var h = 14695981039346656037UL;
        foreach (var ch in purpose)
        {
            h ^= ch;
            h *= 1099511628211UL;
        }
        var mixed = seed ^ h;
        return new Rng(SplitMix(ref mixed));
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in (0, 1): never 0, so its logarithm is finite.</summary>
    public double NextDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    public int NextInt(int maxExclusive) => (int)(NextDouble() * maxExclusive);

    public double Exponential(double mean) => -mean * Math.Log(NextDouble());

    public double StandardNormal()
    {
        // Box–Muller; one of the pair is dropped to keep the stream stateless.
        var u1 = NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
