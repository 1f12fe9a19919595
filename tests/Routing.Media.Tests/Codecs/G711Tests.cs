using Routing.Media.Codecs;
using Xunit;

namespace Routing.Media.Tests.Codecs;

public class G711Tests
{
    // First 16 entries of the classic µ-law and A-law expansion tables (ITU-T G.711 Tables 1a/2a, 16-bit scale).
    private static readonly short[] MuLawHead =
        [-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764];

    private static readonly short[] ALawHead =
        [-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784];

    [Fact]
    public void Mu_law_decodes_the_reference_table()
    {
        for (var i = 0; i < MuLawHead.Length; i++) Assert.Equal(MuLawHead[i], G711.MuLawToLinear((byte)i));
        Assert.Equal(32124, G711.MuLawToLinear(0x80));
        Assert.Equal(0, G711.MuLawToLinear(0xFF));
        Assert.Equal(0, G711.MuLawToLinear(0x7F));
        Assert.Equal(8, G711.MuLawToLinear(0xFE));
        Assert.Equal(-8, G711.MuLawToLinear(0x7E));
    }

    [Fact]
    public void A_law_decodes_the_reference_table()
    {
        for (var i = 0; i < ALawHead.Length; i++) Assert.Equal(ALawHead[i], G711.ALawToLinear((byte)i));
        Assert.Equal(8, G711.ALawToLinear(0xD5));
        Assert.Equal(-8, G711.ALawToLinear(0x55));
        Assert.Equal(32256, G711.ALawToLinear(0xAA));
        Assert.Equal(-32256, G711.ALawToLinear(0x2A));
    }

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)] // one's complement: -1 lies in the negative zero interval
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(1000, 0xCE)]
    [InlineData(-1000, 0x4E)]
    [InlineData(100, 0xF2)]
    public void Mu_law_encodes_known_values(short sample, int code) => Assert.Equal((byte)code, G711.LinearToMuLaw(sample));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    [InlineData(1000, 0xFA)]
    [InlineData(-1000, 0x7A)]
    public void A_law_encodes_known_values(short sample, int code) => Assert.Equal((byte)code, G711.LinearToALaw(sample));

    [Fact]
    public void Every_code_round_trips_through_linear()
    {
        for (var c = 0; c < 256; c++)
        {
            var code = (byte)c;
            // µ-law 0x7F is negative zero; it decodes to 0, which encodes as positive zero.
            Assert.Equal(code == 0x7F ? (byte)0xFF : code, G711.LinearToMuLaw(G711.MuLawToLinear(code)));
            Assert.Equal(code, G711.LinearToALaw(G711.ALawToLinear(code)));
        }
    }

    [Fact]
    public void Tables_match_the_reference_algorithm_for_every_sample()
    {
        for (var s = short.MinValue; ; s++)
        {
            Assert.Equal(G711.ReferenceMuLawCompress(s), G711.LinearToMuLaw(s));
            Assert.Equal(G711.ReferenceALawCompress(s), G711.LinearToALaw(s));
            if (s == short.MaxValue) break;
        }
    }

    [Theory]
    [InlineData(G711Law.MuLaw)]
    [InlineData(G711Law.ALaw)]
    public void Encoding_is_monotonic_and_the_quantisation_error_stays_within_half_a_step(G711Law law)
    {
        var previous = short.MinValue;
        for (int s = -32000; s <= 32000; s++)
        {
            var decoded = G711.Decode(law, G711.Encode(law, (short)s));
            Assert.True(decoded >= previous, $"decode(encode({s})) = {decoded} went below {previous}");
            previous = decoded;
            // The largest step is 1024 (µ-law) / 1024 (A-law top segment); half of it bounds the error.
            Assert.InRange(Math.Abs(decoded - s), 0, 520);
        }
    }

    [Fact]
    public void Transcoding_equals_decoding_and_re_encoding()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var toA = new byte[256];
        var toU = new byte[256];
        G711.Transcode(G711Law.MuLaw, G711Law.ALaw, all, toA);
        G711.Transcode(G711Law.ALaw, G711Law.MuLaw, all, toU);
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(G711.LinearToALaw(G711.MuLawToLinear((byte)i)), toA[i]);
            Assert.Equal(G711.LinearToMuLaw(G711.ALawToLinear((byte)i)), toU[i]);
        }
        Assert.Equal(G711.ALawSilence, G711.MuLawToALaw(G711.MuLawSilence));
    }
}
