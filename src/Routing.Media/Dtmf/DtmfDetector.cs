using Routing.Media.Rtp;

namespace Routing.Media.Dtmf;

/// <summary>A digit pressed by the caller, reported once; <see cref="RtpTimestamp"/> identifies the event on the wire.</summary>
public sealed record DtmfDigit(char Digit, uint Ssrc, uint RtpTimestamp);

/// <summary>
/// Turns RFC 4733 telephone-event packets into digits, each reported exactly once. An event is identified by
/// (SSRC, RTP timestamp), which every packet of it shares, so the three redundant end packets, retransmitted start
/// packets and packets arriving out of order (even an end before its start) all map to the same event. The digit is
/// reported on the first packet seen, for the lowest latency. Remembers the last <c>history</c> events.
/// </summary>
public sealed class DtmfDetector(byte payloadType, int history = 64)
{
    private readonly HashSet<(uint Ssrc, uint Timestamp)> _seen = [];
    private readonly Queue<(uint Ssrc, uint Timestamp)> _order = new();

    public byte PayloadType { get; } = payloadType;

    /// <summary>Returns the digit when this packet starts a new event; null for other payload types, repeats and non-digit events.</summary>
    public DtmfDigit? Process(RtpPacket packet)
    {
        if (packet.PayloadType != PayloadType) return null;
        return TelephoneEvent.TryParse(packet.Payload.Span, out var e) ? Process(packet.Ssrc, packet.Timestamp, e) : null;
    }

    public DtmfDigit? Process(uint ssrc, uint timestamp, TelephoneEvent telephoneEvent)
    {
        if (telephoneEvent.Digit is not { } digit) return null; // flash and tones are not digits
        if (!_seen.Add((ssrc, timestamp))) return null;
        _order.Enqueue((ssrc, timestamp));
        if (_order.Count > history) _seen.Remove(_order.Dequeue());
        return new DtmfDigit(digit, ssrc, timestamp);
    }
}
