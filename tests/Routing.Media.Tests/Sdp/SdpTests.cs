using Routing.Media.Sdp;
using Xunit;

namespace Routing.Media.Tests.Sdp;

public class SdpTests
{
    internal const string Offer =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.101\r\n" +
        "t=0 0\r\n" +
        "m=audio 49172 RTP/AVP 8 0 101\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=ptime:20\r\n" +
        "a=sendrecv\r\n";

    [Fact]
    public void Parses_an_offer()
    {
        var sdp = SessionDescription.Parse(Offer);
        Assert.Equal("alice", sdp.Origin.UserName);
        Assert.Equal(2890844526UL, sdp.Origin.SessionVersion);
        Assert.Equal("192.0.2.101", sdp.Connection!.Address);
        var audio = Assert.Single(sdp.Media);
        Assert.Equal(("audio", 49172, "RTP/AVP"), (audio.Media, audio.Port, audio.Protocol));
        Assert.Equal(new byte[] { 8, 0, 101 }, audio.PayloadTypes);
        Assert.Equal("telephone-event", audio.GetRtpMap(101)!.EncodingName);
        Assert.Equal("0-16", audio.GetFmtp(101));
        Assert.Equal(20, audio.PacketTime);
        Assert.Equal(MediaDirection.SendRecv, audio.EffectiveDirection(sdp));
    }

    [Fact]
    public void Writes_back_byte_for_byte()
    {
        Assert.Equal(Offer, SessionDescription.Parse(Offer).ToString());
    }

    [Fact]
    public void Tolerates_bare_line_feeds_and_keeps_unknown_session_lines()
    {
        var text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=call\ni=info\nc=IN IP4 10.0.0.1\nb=AS:64\nt=0 0\na=recvonly\nm=audio 4000 RTP/AVP 0\nc=IN IP4 10.0.0.2\nx=unknown\n";
        var sdp = SessionDescription.Parse(text);
        Assert.Equal(MediaDirection.RecvOnly, sdp.Media[0].EffectiveDirection(sdp));
        Assert.Equal("10.0.0.2", sdp.Media[0].EffectiveConnection(sdp)!.Address);
        Assert.Equal(SdpRtpMap.Static(0), sdp.Media[0].GetRtpMap(0)); // static payload type without rtpmap
        var written = sdp.ToString();
        Assert.Contains("i=info\r\n", written);
        Assert.Contains("b=AS:64\r\n", written);
        Assert.Equal(written, SessionDescription.Parse(written).ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", "v=")]
    [InlineData("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n", "version")]
    [InlineData("v=0\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", "c=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", "m=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio\r\n", "m=")]
    [InlineData("v=0\r\nhello\r\n", "line 2")]
    public void Rejects_broken_descriptions_with_a_reason(string text, string reason)
    {
        Assert.False(SessionDescription.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text));
    }

    [Fact]
    public void Directions_combine_as_in_RFC_3264()
    {
        Assert.Equal(MediaDirection.RecvOnly, MediaDirection.SendOnly.Reverse());
        Assert.Equal(MediaDirection.Inactive, MediaDirection.Inactive.Reverse());
        Assert.Equal(MediaDirection.SendOnly, MediaDirection.SendRecv.Intersect(MediaDirection.SendOnly));
        Assert.Equal(MediaDirection.Inactive, MediaDirection.SendOnly.Intersect(MediaDirection.RecvOnly));
    }
}
