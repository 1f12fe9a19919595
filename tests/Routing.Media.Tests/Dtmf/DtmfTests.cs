using Routing.Media.Dtmf;
using Routing.Media.Rtp;
using Xunit;

namespace Routing.Media.Tests.Dtmf;

public class TelephoneEventTests
{
    [Fact]
    public void Parses_and_writes_the_rfc_4733_payload()
    {
        byte[] bytes = [0x0B, 0x8A, 0x03, 0x20];
        Assert.True(TelephoneEvent.TryParse(bytes, out var e));
        Assert.Equal(new TelephoneEvent(11, true, 10, 800), e);
        Assert.Equal('#', e.Digit);
        Assert.Equal(bytes, e.ToArray());
        Assert.False(TelephoneEvent.TryParse(bytes.AsSpan(0, 3), out _));
        Assert.True(TelephoneEvent.TryParse([0x05, 0x40, 0, 0], out var reservedBitSet)); // R bit ignored
        Assert.Equal(0, reservedBitSet.Volume);
        Assert.False(reservedBitSet.IsEnd);
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('d', 15)]
    public void Maps_digits_to_events(char digit, byte code)
    {
        Assert.Equal(code, DtmfDigits.ToEvent(digit));
        Assert.Equal(char.ToUpperInvariant(digit), DtmfDigits.ToDigit(code));
    }

    [Fact]
    public void The_writer_sends_a_marked_start_updates_and_three_end_packets_with_one_timestamp()
    {
        var sender = new RtpSender(0, ssrc: 1, initialSequence: 10, initialTimestamp: 1000);
        var packets = TelephoneEventWriter.CreateDigit(sender, 101, '7', durationMs: 100);
        Assert.Equal(7, packets.Count); // 4 updates + 3 ends
        Assert.True(packets[0].Marker);
        Assert.All(packets.Skip(1), p => Assert.False(p.Marker));
        Assert.All(packets, p => Assert.Equal(1000u, p.Timestamp));
        Assert.Equal(Enumerable.Range(10, 7).Select(i => (ushort)i), packets.Select(p => p.SequenceNumber));
        var events = packets.Select(p => { TelephoneEvent.TryParse(p.Payload.Span, out var e); return e; }).ToList();
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], events.Select(e => (int)e.Duration));
        Assert.Equal([false, false, false, false, true, true, true], events.Select(e => e.IsEnd));
        Assert.Equal(1800u, sender.Timestamp); // the media clock moved past the event
    }
}

public class DtmfDetectorTests
{
    private static List<RtpPacket> Digits(string digits)
    {
        var sender = new RtpSender(0, ssrc: 77);
        var packets = new List<RtpPacket>();
        foreach (var d in digits)
        {
            packets.AddRange(TelephoneEventWriter.CreateDigit(sender, 101, d));
            sender.Skip(3);
        }
        return packets;
    }

    private static string Detect(DtmfDetector detector, IEnumerable<RtpPacket> packets) =>
        new(packets.Select(detector.Process).OfType<DtmfDigit>().Select(d => d.Digit).ToArray());

    [Fact]
    public void Each_digit_is_reported_once_despite_redundant_end_packets()
    {
        Assert.Equal("1255#", Detect(new DtmfDetector(101), Digits("1255#")));
    }

    [Fact]
    public void Retransmitted_starts_and_reordering_do_not_repeat_or_lose_digits()
    {
        var packets = Digits("123");
        var mangled = new List<RtpPacket>();
        foreach (var p in packets)
        {
            mangled.Add(p);
            if (p.Marker) mangled.Add(p); // start sent twice
        }
        // The end packets of "1" overtake its start; the first packets of "2" are lost.
        var first = mangled.Where(p => p.Timestamp == packets[0].Timestamp).ToList();
        first.Reverse();
        var second = mangled.Where(p => p.Timestamp == packets[7].Timestamp).Skip(4).ToList();
        var third = mangled.Where(p => p.Timestamp == packets[14].Timestamp).ToList();
        var detector = new DtmfDetector(101);
        Assert.Equal("123", Detect(detector, [.. first, .. second, .. third, .. first]));
    }

    [Fact]
    public void Other_payload_types_and_non_digit_events_are_ignored()
    {
        var detector = new DtmfDetector(101);
        var audio = new RtpPacket { PayloadType = 0, Payload = new byte[160] };
        var flash = new RtpPacket { PayloadType = 101, Timestamp = 5, Payload = new TelephoneEvent(16, false, 10, 160).ToArray() };
        var shortPayload = new RtpPacket { PayloadType = 101, Timestamp = 6, Payload = new byte[2] };
        Assert.Null(detector.Process(audio));
        Assert.Null(detector.Process(flash));
        Assert.Null(detector.Process(shortPayload));
    }

    [Fact]
    public void The_same_timestamp_from_another_source_is_another_event()
    {
        var detector = new DtmfDetector(101);
        var e = new TelephoneEvent(5, false, 10, 160);
        Assert.NotNull(detector.Process(1, 1000, e));
        Assert.Null(detector.Process(1, 1000, e));
        Assert.Equal('5', detector.Process(2, 1000, e)!.Digit);
    }
}

public class SipInfoDtmfTests
{
    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("Application/DTMF-Relay; charset=utf-8", "signal= *\nduration = 250", '*', 250)]
    [InlineData("application/dtmf-relay", "Signal=#\r\n", '#', null)]
    [InlineData("application/dtmf-relay", "Signal=11\r\nDuration=100\r\n", '#', 100)]
    [InlineData("application/dtmf", "7", '7', null)]
    [InlineData("application/dtmf", "a\r\n", 'A', null)]
    [InlineData("application/dtmf", "Signal=3\r\nDuration=90", '3', 90)]
    public void Reads_info_bodies(string contentType, string body, char digit, int? duration)
    {
        Assert.True(SipInfoDtmf.TryParse(contentType, body, out var result));
        Assert.Equal(new SipInfoDigit(digit, duration), result);
    }

    [Theory]
    [InlineData("application/sdp", "Signal=5")]
    [InlineData(null, "Signal=5")]
    [InlineData("application/dtmf-relay", "Duration=160")]
    [InlineData("application/dtmf-relay", "Signal=X")]
    [InlineData("application/dtmf-relay", "5")]
    [InlineData("application/dtmf", "")]
    [InlineData("application/dtmf", "12345")]
    public void Rejects_other_bodies(string? contentType, string body) => Assert.False(SipInfoDtmf.TryParse(contentType, body, out _));
}
