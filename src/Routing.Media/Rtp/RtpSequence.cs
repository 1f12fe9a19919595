namespace Routing.Media.Rtp;

/// <summary>Serial-number arithmetic for 16-bit RTP sequence numbers and 32-bit timestamps (they wrap).</summary>
public static class RtpSequence
{
    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/>, in [-32768, 32767].</summary>
    public static int Delta(ushort from, ushort to) => (short)(ushort)(to - from);

    /// <summary>Signed distance between two RTP timestamps.</summary>
    public static int Delta(uint from, uint to) => (int)(to - from);

    public static bool IsNewer(ushort candidate, ushort reference) => Delta(reference, candidate) > 0;

    public static bool IsNewer(uint candidate, uint reference) => Delta(reference, candidate) > 0;
}
