using System.Buffers.Binary;
using Routing.Media.Rtp;

namespace Routing.Media.Dtmf;

/// <summary>
/// The RFC 4733 telephone-event payload (§2.3): event code, end bit, volume in -dBm0 (0-63) and the duration so
/// far in timestamp units. All packets of one event carry the RTP timestamp of its start.
/// </summary>
public readonly record struct TelephoneEvent(byte Event, bool IsEnd, byte Volume, ushort Duration)
{
    public const int Length = 4;

    /// <summary>The DTMF character for events 0-15, else null.</summary>
    public char? Digit => DtmfDigits.ToDigit(Event);

    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        // Longer payloads can happen (several events, RFC 2198 redundancy); the first four bytes are the event.
        if (payload.Length < Length)
        {
            telephoneEvent = default;
            return false;
        }
        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        if (Volume > 63) throw new InvalidOperationException("Volume is a 6-bit field (0-63 -dBm0).");
        destination[0] = Event;
        destination[1] = (byte)((IsEnd ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }
}

/// <summary>Mapping between DTMF characters and RFC 4733 event codes (0-9, * = 10, # = 11, A-D = 12-15).</summary>
public static class DtmfDigits
{
    private const string Digits = "0123456789*#ABCD";

    public static char? ToDigit(byte eventCode) => eventCode < Digits.Length ? Digits[eventCode] : null;

    public static bool TryGetEvent(char digit, out byte eventCode)
    {
        var index = Digits.IndexOf(char.ToUpperInvariant(digit));
        eventCode = (byte)Math.Max(index, 0);
        return index >= 0;
    }

    public static byte ToEvent(char digit) =>
        TryGetEvent(digit, out var code) ? code : throw new ArgumentOutOfRangeException(nameof(digit), digit, "Not a DTMF digit.");
}

/// <summary>
/// Builds the RFC 4733 packet train for one digit (§2.5.1): a marked start packet, an update every frame with the
/// growing duration, and the end packet sent three times. The caller sends them 20 ms apart.
/// </summary>
public static class TelephoneEventWriter
{
    public static IReadOnlyList<RtpPacket> CreateDigit(RtpSender sender, byte payloadType, char digit, int durationMs = 100, byte volume = 10)
    {
        if (durationMs < 20) throw new ArgumentOutOfRangeException(nameof(durationMs), "At least one frame.");
        var code = DtmfDigits.ToEvent(digit);
        var start = sender.Timestamp;
        var frame = sender.SamplesPerFrame;
        var total = (ushort)Math.Min(ushort.MaxValue, durationMs * 8);
        var packets = new List<RtpPacket>();
        for (var elapsed = frame; elapsed < total; elapsed += frame)
            packets.Add(sender.Create(payloadType, start, new TelephoneEvent(code, false, volume, (ushort)elapsed).ToArray(), packets.Count == 0));
        var end = new TelephoneEvent(code, true, volume, total).ToArray();
        for (var i = 0; i < 3; i++) packets.Add(sender.Create(payloadType, start, end, packets.Count == 0));
        sender.AdvanceTimestamp(total);
        return packets;
    }
}
