using CsCheck;
using Routing.Media.Rtp;
using Xunit;

namespace Routing.Media.Tests.Rtp;

public class RtpPacketTests
{
    [Fact]
    public void Parses_a_plain_G711_packet()
    {
        byte[] bytes = [0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x01, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, .. Enumerable.Repeat((byte)0xFF, 160)];
        var packet = RtpPacket.Parse(bytes);
        Assert.Equal(2, packet.Version);
        Assert.False(packet.Marker);
        Assert.Equal(0, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(256u, packet.Timestamp);
        Assert.Equal(0xDEADBEEFu, packet.Ssrc);
        Assert.Empty(packet.Csrcs);
        Assert.Null(packet.Extension);
        Assert.Equal(160, packet.Payload.Length);
        Assert.Equal(bytes, packet.ToArray());
    }

    [Fact]
    public void Parses_marker_csrcs_extension_and_padding()
    {
        byte[] bytes =
        [
            0xB2, 0xE5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0x00, 0x00, 0x00, 0x01, // V=2 P X CC=2, M, PT=101
            0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x0B, // CSRCs
            0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00, // one-word extension
            0x05, 0x8A, 0x03, 0x20, // telephone-event payload
            0x00, 0x00, 0x03, // padding, count 3
        ];
        var packet = RtpPacket.Parse(bytes);
        Assert.True(packet.Marker);
        Assert.Equal(101, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(0xFFFFFFF0u, packet.Timestamp);
        Assert.Equal([10u, 11u], packet.Csrcs);
        Assert.Equal(0xBEDE, packet.Extension!.Profile);
        Assert.Equal([0x10, 0xAA, 0x00, 0x00], packet.Extension.Data.ToArray());
        Assert.Equal([0x05, 0x8A, 0x03, 0x20], packet.Payload.ToArray());
        Assert.Equal(3, packet.PaddingLength);
        Assert.Equal(bytes, packet.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00, 0x00 }, "shorter")]
    [InlineData(new byte[] { 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "version 1")]
    [InlineData(new byte[] { 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "CSRC")]
    [InlineData(new byte[] { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 2, 0, 0, 0, 0 }, "extension")]
    [InlineData(new byte[] { 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, "padding")]
    [InlineData(new byte[] { 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, "padding")]
    public void Rejects_malformed_packets(byte[] bytes, string reason)
    {
        Assert.False(RtpPacket.TryParse(bytes, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Any_written_packet_parses_back_to_the_same_fields()
    {
        var gen =
            from marker in Gen.Bool
            from pt in Gen.Byte[0, 127]
            from seq in Gen.UShort
            from ts in Gen.UInt
            from ssrc in Gen.UInt
            from csrcs in Gen.UInt.Array[0, 15]
            from ext in Gen.Byte.Array[0, 3].Select(a => a.Length == 0 ? null : new RtpHeaderExtension(0x1000, new byte[a.Length * 4]))
            from payload in Gen.Byte.Array[0, 200]
            from padding in Gen.Byte[0, 8]
            select new RtpPacket
            {
                Marker = marker, PayloadType = pt, SequenceNumber = seq, Timestamp = ts, Ssrc = ssrc, Csrcs = csrcs,
                Extension = ext, Payload = payload, PaddingLength = padding,
            };
        gen.Sample(p =>
        {
            var back = RtpPacket.Parse(p.ToArray());
            Assert.Equal((p.Marker, p.PayloadType, p.SequenceNumber, p.Timestamp, p.Ssrc, p.PaddingLength),
                (back.Marker, back.PayloadType, back.SequenceNumber, back.Timestamp, back.Ssrc, back.PaddingLength));
            Assert.Equal(p.Csrcs, back.Csrcs);
            Assert.Equal(p.Payload.ToArray(), back.Payload.ToArray());
            Assert.Equal(p.Extension?.Data.Length, back.Extension?.Data.Length);
        });
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            if (RtpPacket.TryParse(bytes, out var packet, out _)) Assert.True(packet.Length <= bytes.Length);
        });
    }
}
