namespace Routing.Media.Codecs;

/// <summary>
/// G.711 µ-law (PCMU) and A-law (PCMA), table based and bit-exact with the ITU-T G.191 reference
/// (<c>g711.c</c>): encoders take 16-bit linear samples, decoders return 16-bit linear samples.
/// </summary>
public static class G711
{
    /// <summary>µ-law code of a zero sample; what a silent PCMU frame is filled with.</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>A-law code of a zero sample; what a silent PCMA frame is filled with.</summary>
    public const byte ALawSilence = 0xD5;

    // The encoders are indexed by the 16-bit sample reinterpreted as ushort: 64 KiB each, built once
    // from the reference algorithm so the hot path is a single lookup.
    private static readonly byte[] LinearToMuLawTable = BuildEncoder(ReferenceMuLawCompress);
    private static readonly byte[] LinearToALawTable = BuildEncoder(ReferenceALawCompress);
    private static readonly short[] MuLawToLinearTable = BuildDecoder(ReferenceMuLawExpand);
    private static readonly short[] ALawToLinearTable = BuildDecoder(ReferenceALawExpand);
    private static readonly byte[] MuLawToALawTable = BuildTranscoder(MuLawToLinearTable, LinearToALawTable);
    private static readonly byte[] ALawToMuLawTable = BuildTranscoder(ALawToLinearTable, LinearToMuLawTable);

    public static byte LinearToMuLaw(short sample) => LinearToMuLawTable[(ushort)sample];
    public static byte LinearToALaw(short sample) => LinearToALawTable[(ushort)sample];
    public static short MuLawToLinear(byte code) => MuLawToLinearTable[code];
    public static short ALawToLinear(byte code) => ALawToLinearTable[code];
    public static byte MuLawToALaw(byte code) => MuLawToALawTable[code];
    public static byte ALawToMuLaw(byte code) => ALawToMuLawTable[code];

    public static byte Encode(G711Law law, short sample) => law == G711Law.MuLaw ? LinearToMuLaw(sample) : LinearToALaw(sample);
    public static short Decode(G711Law law, byte code) => law == G711Law.MuLaw ? MuLawToLinear(code) : ALawToLinear(code);
    public static byte Silence(G711Law law) => law == G711Law.MuLaw ? MuLawSilence : ALawSilence;

    public static void Encode(G711Law law, ReadOnlySpan<short> samples, Span<byte> codes)
    {
        if (codes.Length < samples.Length) throw new ArgumentException("Output is shorter than the input.", nameof(codes));
        var table = law == G711Law.MuLaw ? LinearToMuLawTable : LinearToALawTable;
        for (var i = 0; i < samples.Length; i++) codes[i] = table[(ushort)samples[i]];
    }

    public static void Decode(G711Law law, ReadOnlySpan<byte> codes, Span<short> samples)
    {
        if (samples.Length < codes.Length) throw new ArgumentException("Output is shorter than the input.", nameof(samples));
        var table = law == G711Law.MuLaw ? MuLawToLinearTable : ALawToLinearTable;
        for (var i = 0; i < codes.Length; i++) samples[i] = table[codes[i]];
    }

    /// <summary>Converts PCMU to PCMA or back in place of decoding and re-encoding (same result, one lookup).</summary>
    public static void Transcode(G711Law from, G711Law to, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length) throw new ArgumentException("Output is shorter than the input.", nameof(output));
        if (from == to)
        {
            input.CopyTo(output);
            return;
        }
        var table = from == G711Law.MuLaw ? MuLawToALawTable : ALawToMuLawTable;
        for (var i = 0; i < input.Length; i++) output[i] = table[input[i]];
    }

    // ---- ITU-T G.191 reference algorithms (used only to build the tables) ----

    internal static byte ReferenceMuLawCompress(short linear)
    {
        // The reference works on 14-bit magnitudes, with one's complement for negative samples.
        int absno = linear < 0 ? (~linear) >> 2 : linear >> 2;
        absno += 33;
        if (absno > 0x1FFF) absno = 0x1FFF;
        var i = absno >> 6;
        var segno = 1;
        while (i != 0)
        {
            segno++;
            i >>= 1;
        }
        var highNibble = 0x0008 - segno;
        var lowNibble = 0x000F - ((absno >> segno) & 0x000F);
        var code = (highNibble << 4) | lowNibble;
        if (linear >= 0) code |= 0x0080;
        return (byte)code;
    }

    internal static short ReferenceMuLawExpand(byte code)
    {
        var sign = code < 0x80 ? -1 : 1;
        var mantissa = ~code;
        var exponent = (mantissa >> 4) & 0x0007;
        var segment = exponent + 1;
        mantissa &= 0x000F;
        var step = 4 << segment;
        return (short)(sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    internal static byte ReferenceALawCompress(short linear)
    {
        // 13-bit magnitude reduced to 12 bits, one's complement for negative samples.
        int ix = linear < 0 ? (~linear) >> 4 : linear >> 4;
        if (ix > 15)
        {
            var iexp = 1;
            while (ix > 16 + 15)
            {
                ix >>= 1;
                iexp++;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if (linear >= 0) ix |= 0x0080;
        return (byte)(ix ^ 0x0055);
    }

    internal static short ReferenceALawExpand(byte code)
    {
        var ix = (code ^ 0x0055) & 0x007F;
        var iexp = ix >> 4;
        var mant = ix & 0x000F;
        if (iexp > 0) mant += 16;
        mant = (mant << 4) + 0x0008;
        if (iexp > 1) mant <<= iexp - 1;
        return (short)(code > 127 ? mant : -mant);
    }

    private static byte[] BuildEncoder(Func<short, byte> compress)
    {
        var table = new byte[65536];
        for (var i = 0; i < table.Length; i++) table[i] = compress((short)(ushort)i);
        return table;
    }

    private static short[] BuildDecoder(Func<byte, short> expand)
    {
        var table = new short[256];
        for (var i = 0; i < table.Length; i++) table[i] = expand((byte)i);
        return table;
    }

    private static byte[] BuildTranscoder(short[] decode, byte[] encode)
    {
        var table = new byte[256];
        for (var i = 0; i < table.Length; i++) table[i] = encode[(ushort)decode[i]];
        return table;
    }
}

/// <summary>The two G.711 companding laws.</summary>
public enum G711Law
{
    /// <summary>µ-law, RTP payload type 0 (PCMU).</summary>
    MuLaw,

    /// <summary>A-law, RTP payload type 8 (PCMA).</summary>
    ALaw,
}
