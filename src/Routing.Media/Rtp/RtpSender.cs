using System.Security.Cryptography;

namespace Routing.Media.Rtp;

/// <summary>
/// The sending side of one RTP stream: its own random SSRC, random initial sequence number and timestamp
/// (RFC 3550 §5.1), and a timestamp that advances by one frame per packet (160 samples = 20 ms of 8 kHz G.711).
/// Not thread-safe: one pacer drives it.
/// </summary>
public sealed class RtpSender
{
    public const int DefaultSamplesPerFrame = 160;

    private bool _markNext = true;

    public RtpSender(byte payloadType, int samplesPerFrame = DefaultSamplesPerFrame, uint? ssrc = null, ushort? initialSequence = null, uint? initialTimestamp = null)
    {
        if (payloadType > 127) throw new ArgumentOutOfRangeException(nameof(payloadType));
        if (samplesPerFrame <= 0) throw new ArgumentOutOfRangeException(nameof(samplesPerFrame));
        PayloadType = payloadType;
        SamplesPerFrame = samplesPerFrame;
        Ssrc = ssrc ?? RandomUInt32();
        NextSequence = initialSequence ?? (ushort)RandomUInt32();
        Timestamp = initialTimestamp ?? RandomUInt32();
    }

    public byte PayloadType { get; }
    public int SamplesPerFrame { get; }
    public uint Ssrc { get; }
    public ushort NextSequence { get; private set; }

    /// <summary>Timestamp of the next frame.</summary>
    public uint Timestamp { get; private set; }

    public long PacketsSent { get; private set; }
    public long OctetsSent { get; private set; }

    /// <summary>Packs one frame and advances the timestamp by a frame. The first packet of a talkspurt carries the marker.</summary>
    public RtpPacket NextFrame(ReadOnlyMemory<byte> payload)
    {
        var packet = Create(PayloadType, Timestamp, payload, _markNext);
        _markNext = false;
        Timestamp += (uint)SamplesPerFrame;
        return packet;
    }

    /// <summary>
    /// A packet with an explicit payload type and timestamp that does not advance the media clock, e.g. RFC 4733
    /// telephone-events, whose packets all carry the timestamp of the event start.
    /// </summary>
    public RtpPacket Create(byte payloadType, uint timestamp, ReadOnlyMemory<byte> payload, bool marker)
    {
        var packet = new RtpPacket
        {
            PayloadType = payloadType,
            SequenceNumber = NextSequence++,
            Timestamp = timestamp,
            Ssrc = Ssrc,
            Marker = marker,
            Payload = payload,
        };
        PacketsSent++;
        OctetsSent += payload.Length;
        return packet;
    }

    /// <summary>Lets <paramref name="frames"/> frame times pass without sending (silence suppression, hold); the next frame is marked.</summary>
    public void Skip(int frames = 1)
    {
        Timestamp += (uint)(frames * SamplesPerFrame);
        _markNext = true;
    }

    /// <summary>Advances the media clock by a number of samples, e.g. after sending an RFC 4733 event of that duration.</summary>
    public void AdvanceTimestamp(uint samples) => Timestamp += samples;

    private static uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }
}
