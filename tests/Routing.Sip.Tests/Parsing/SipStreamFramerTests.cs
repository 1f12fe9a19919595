using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Parsing;

public class SipStreamFramerTests
{
    private static readonly byte[] Invite = Encoding.UTF8.GetBytes(SipParserTests.Invite);
    private static readonly byte[] Options = Encoding.UTF8.GetBytes(
        "OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bKo\r\nFrom: <sip:a@example.com>;tag=1\r\n" +
        "To: <sip:x@example.com>\r\nCall-ID: opt\r\nCSeq: 7 OPTIONS\r\nl: 0\r\n\r\n");

    private static List<SipMessage> Drain(SipStreamFramer framer)
    {
        var messages = new List<SipMessage>();
        while (framer.TryRead(out var result) == SipFrameStatus.Frame)
        {
            Assert.True(result.IsSuccess, result.Error?.ToString());
            messages.Add(result.Message);
        }
        return messages;
    }

    [Fact]
    public void Several_messages_in_one_read_are_cut_at_content_length()
    {
        var framer = new SipStreamFramer();
        framer.Append([.. Invite, .. Options, .. Invite]);
        var messages = Drain(framer);
        Assert.Equal(["INVITE", "OPTIONS", "INVITE"], messages.Cast<SipRequest>().Select(m => m.Method));
        Assert.Equal(4, messages[0].Body.Length);
        Assert.Equal(0, framer.BufferedBytes);
    }

    [Fact]
    public void A_stream_split_at_every_possible_point_yields_the_same_messages()
    {
        byte[] stream = [.. Invite, .. "\r\n\r\n"u8, .. Options, .. "\r\n"u8, .. Invite];
        for (var split = 1; split < stream.Length; split++)
        {
            var framer = new SipStreamFramer();
            framer.Append(stream.AsSpan(0, split));
            var messages = Drain(framer);
            framer.Append(stream.AsSpan(split));
            messages.AddRange(Drain(framer));
            Assert.Equal(3, messages.Count);
        }
    }

    [Fact]
    public void Byte_at_a_time_delivery_works()
    {
        var framer = new SipStreamFramer();
        var messages = new List<SipMessage>();
        foreach (var b in Invite.Concat(Options))
        {
            framer.Append([b]);
            messages.AddRange(Drain(framer));
        }
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void Crlf_keep_alives_between_messages_are_skipped_and_pings_counted()
    {
        var framer = new SipStreamFramer();
        framer.Append("\r\n\r\n\r\n\r\n"u8);
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.TryRead(out _));
        framer.Append([.. Options, .. "\r\n\r\n"u8]);
        Assert.Single(Drain(framer));
        Assert.Equal(3, framer.KeepAlivePings);
        Assert.Equal(0, framer.BufferedBytes);
    }

    [Fact]
    public void Missing_content_length_breaks_the_stream_for_good()
    {
        var framer = new SipStreamFramer();
        framer.Append(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Options).Replace("l: 0\r\n", "")));
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out var result));
        Assert.Equal("Missing Content-Length", result.Error!.Reason);
        framer.Append(Options);
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out _));
    }

    [Fact]
    public void Oversized_header_section_without_end_breaks_with_513()
    {
        var framer = new SipStreamFramer(new SipParserOptions { MaxHeaderBytes = 1024 });
        framer.Append(Encoding.ASCII.GetBytes("INVITE sip:a@b SIP/2.0\r\nX: " + new string('a', 2000)));
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out var result));
        Assert.Equal(513, result.Error!.StatusCode);
    }

    [Fact]
    public void Content_length_above_the_limit_breaks_with_413()
    {
        var framer = new SipStreamFramer(new SipParserOptions { MaxBodyBytes = 2 });
        framer.Append(Invite);
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out var result));
        Assert.Equal(413, result.Error!.StatusCode);
    }

    [Fact]
    public void A_malformed_but_well_framed_message_is_reported_and_the_stream_goes_on()
    {
        var bad = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Options).Replace("CSeq: 7 OPTIONS", "CSeq: 7 INVITE"));
        var framer = new SipStreamFramer();
        framer.Append([.. bad, .. Options]);
        Assert.Equal(SipFrameStatus.Frame, framer.TryRead(out var first));
        Assert.Equal(400, first.Error!.StatusCode);
        Assert.False(first.Error.BreaksFraming);
        Assert.Equal(SipFrameStatus.Frame, framer.TryRead(out var second));
        Assert.True(second.IsSuccess);
    }
}
