using Routing.Media.Sdp;
using Xunit;

namespace Routing.Media.Tests.Sdp;

public class SdpNegotiatorTests
{
    private static readonly LocalMedia Local = new("203.0.113.5", 20000);

    private static SessionDescription OfferWith(string media, string extra = "", string connection = "c=IN IP4 192.0.2.101\r\n") =>
        SessionDescription.Parse("v=0\r\no=bob 1 1 IN IP4 192.0.2.101\r\ns=-\r\n" + connection + "t=0 0\r\n" + media + extra);

    [Fact]
    public void Answers_with_the_first_common_codec_of_the_offer_and_its_telephone_event()
    {
        var result = new SdpNegotiator().Answer(SessionDescription.Parse(SdpTests.Offer), Local);
        Assert.True(result.IsAccepted);
        var audio = result.Audio!;
        Assert.Equal(AudioCodec.Pcma, audio.Codec); // the offerer preferred PCMA
        Assert.Equal((byte?)101, audio.TelephoneEventPayloadType);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal("192.0.2.101:49172", audio.RemoteEndPoint!.ToString());
        Assert.False(audio.RemoteHold);

        var answer = SessionDescription.Parse(result.Answer.ToString());
        var m = Assert.Single(answer.Media);
        Assert.Equal(20000, m.Port);
        Assert.Equal(["8", "101"], m.Formats);
        Assert.Equal("0-15", m.GetFmtp(101)); // event 16 (flash) is not something we handle
        Assert.Equal("203.0.113.5", answer.Connection!.Address);
        Assert.Equal(MediaDirection.SendRecv, m.Direction);
    }

    [Fact]
    public void Mirrors_a_dynamic_telephone_event_number_and_a_dynamic_pcmu()
    {
        var offer = OfferWith("m=audio 5000 RTP/AVP 18 96 97\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 pcmu/8000\r\na=rtpmap:97 telephone-event/8000\r\n");
        var result = new SdpNegotiator().Answer(offer, Local);
        Assert.Equal(new AudioCodec(96, "PCMU"), result.Audio!.Codec);
        Assert.Equal((byte?)97, result.Audio.TelephoneEventPayloadType);
        Assert.Equal("0-15", result.Answer.Media[0].GetFmtp(97)); // no fmtp offered means 0-15
    }

    [Theory]
    [InlineData("a=sendonly\r\n", MediaDirection.RecvOnly, true)]
    [InlineData("a=recvonly\r\n", MediaDirection.SendOnly, false)]
    [InlineData("a=inactive\r\n", MediaDirection.Inactive, true)]
    [InlineData("", MediaDirection.SendRecv, false)]
    public void Answers_hold_with_the_reverse_direction(string attribute, MediaDirection ours, bool remoteHold)
    {
        var result = new SdpNegotiator().Answer(OfferWith("m=audio 5000 RTP/AVP 0\r\n", attribute), Local);
        Assert.Equal(ours, result.Audio!.Direction);
        Assert.Equal(remoteHold, result.Audio.RemoteHold);
        Assert.Equal(ours, result.Answer.Media[0].Direction);
    }

    [Fact]
    public void Legacy_hold_with_a_null_connection_address_stops_us_sending()
    {
        var result = new SdpNegotiator().Answer(OfferWith("m=audio 5000 RTP/AVP 0\r\n", connection: "c=IN IP4 0.0.0.0\r\n"), Local);
        Assert.True(result.Audio!.RemoteHold);
        Assert.Equal(MediaDirection.RecvOnly, result.Audio.Direction);
        Assert.Null(result.Audio.RemoteEndPoint);
    }

    [Fact]
    public void We_can_put_the_peer_on_hold()
    {
        var result = new SdpNegotiator().Answer(SessionDescription.Parse(SdpTests.Offer), Local with { Direction = MediaDirection.SendOnly });
        Assert.Equal(MediaDirection.SendOnly, result.Audio!.Direction);
        Assert.Equal(MediaDirection.SendOnly, result.Answer.Media[0].Direction);
    }

    [Fact]
    public void Rejects_unusable_streams_with_port_zero_keeping_the_m_line_count()
    {
        var offer = OfferWith(
            "m=video 6000 RTP/AVP 31\r\n" +
            "m=audio 0 RTP/AVP 0\r\n" +
            "m=audio 5000 RTP/SAVP 0\r\n" +
            "m=audio 5002 RTP/AVP 0 8\r\n" +
            "m=audio 5004 RTP/AVP 0\r\n");
        var result = new SdpNegotiator().Answer(offer, Local);
        var ports = result.Answer.Media.Select(m => m.Port).ToList();
        Assert.Equal([0, 0, 0, 20000, 0], ports);
        Assert.Equal(["31"], result.Answer.Media[0].Formats);
        Assert.Equal(5002, result.Audio!.RemotePort);
    }

    [Fact]
    public void No_common_codec_means_no_stream_and_a_reason()
    {
        var result = new SdpNegotiator().Answer(OfferWith("m=audio 5000 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n"), Local);
        Assert.False(result.IsAccepted);
        Assert.Contains("no common codec", result.FailureReason);
        Assert.Equal(0, result.Answer.Media[0].Port);
    }

    [Fact]
    public void A_peer_without_telephone_event_gets_none()
    {
        var result = new SdpNegotiator().Answer(OfferWith("m=audio 5000 RTP/AVP 0\r\n"), Local);
        Assert.Null(result.Audio!.TelephoneEventPayloadType);
        Assert.Equal(["0"], result.Answer.Media[0].Formats);
    }

    [Fact]
    public void Offer_and_answer_between_two_negotiators_agree()
    {
        var caller = new SdpNegotiator("caller");
        var callee = new SdpNegotiator("callee");
        var callerMedia = new LocalMedia("127.0.0.1", 30000) { Codecs = [AudioCodec.Pcmu, AudioCodec.Pcma] };
        var offer = caller.CreateOffer(callerMedia);
        var answer = callee.Answer(SessionDescription.Parse(offer.ToString()), new LocalMedia("127.0.0.1", 30002) { Codecs = [AudioCodec.Pcma, AudioCodec.Pcmu] });
        var outcome = SdpNegotiator.ProcessAnswer(offer, SessionDescription.Parse(answer.Answer.ToString()), callerMedia);
        Assert.True(outcome.IsAccepted);
        Assert.Equal(AudioCodec.Pcmu, outcome.Audio!.Codec);
        Assert.Equal(answer.Audio!.Codec, outcome.Audio.Codec);
        Assert.Equal((byte?)101, outcome.Audio.TelephoneEventPayloadType);
        Assert.Equal("127.0.0.1:30002", outcome.Audio.RemoteEndPoint!.ToString());
        Assert.Equal("127.0.0.1:30000", answer.Audio.RemoteEndPoint!.ToString());
    }

    [Fact]
    public void A_rejected_answer_is_reported()
    {
        var offer = new SdpNegotiator().CreateOffer(Local);
        var answer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");
        var outcome = SdpNegotiator.ProcessAnswer(offer, answer, Local);
        Assert.False(outcome.IsAccepted);
        Assert.Contains("port 0", outcome.FailureReason);
    }

    [Fact]
    public void The_origin_version_grows_only_when_the_description_changes()
    {
        var negotiator = new SdpNegotiator(sessionId: 1000);
        var first = negotiator.CreateOffer(Local);
        var same = negotiator.CreateOffer(Local);
        var hold = negotiator.CreateOffer(Local with { Direction = MediaDirection.SendOnly });
        Assert.Equal(1000UL, first.Origin.SessionVersion);
        Assert.Equal(1000UL, same.Origin.SessionVersion);
        Assert.Equal(1001UL, hold.Origin.SessionVersion);
        Assert.All([first, same, hold], s => Assert.Equal(1000UL, s.Origin.SessionId));
    }

    [Theory]
    [InlineData(null, "0-15")]
    [InlineData("0-16", "0-15")]
    [InlineData("0-11,14", "0-11,14")]
    [InlineData("16", null)]
    [InlineData("5, 3,4", "3-5")]
    public void Telephone_event_lists_are_intersected(string? offered, string? expected) =>
        Assert.Equal(expected, SdpNegotiator.IntersectEvents(offered));
}
