using Routing.Media.Codecs;
using Routing.Media.Rtp;
using Routing.Media.Sdp;

namespace Routing.Media.Bridging;

/// <summary>How one leg was negotiated, and the stream we send on it.</summary>
public sealed record RelayLeg(AudioCodec Codec, byte? TelephoneEventPayloadType, RtpOutputStream Output);

/// <summary>
/// Forwards RTP between two legs of a bridged call. Each direction is rewritten by the destination leg's
/// <see cref="RtpOutputStream"/> so the leg sees one continuous stream even when it heard prompts before; payload
/// types are mapped to the destination's numbering, PCMU and PCMA are converted when the legs differ, and
/// telephone-events are dropped when the destination did not negotiate them. Other payloads (comfort noise,
/// unknown types) are not forwarded.
/// </summary>
public sealed class RtpRelay(RelayLeg a, RelayLeg b)
{
    public RelayLeg A { get; } = a;
    public RelayLeg B { get; } = b;

    public long Forwarded { get; private set; }
    public long Dropped { get; private set; }

    /// <summary>The packet to send to leg B for one received from leg A, or null to drop it.</summary>
    public RtpPacket? FromA(RtpPacket packet) => Forward(packet, A, B);

    /// <summary>The packet to send to leg A for one received from leg B, or null to drop it.</summary>
    public RtpPacket? FromB(RtpPacket packet) => Forward(packet, B, A);

    private RtpPacket? Forward(RtpPacket packet, RelayLeg from, RelayLeg to)
    {
        RtpPacket? mapped = null;
        if (packet.PayloadType == from.Codec.PayloadType && from.Codec.Law is { } inLaw && to.Codec.Law is { } outLaw)
        {
            var payload = packet.Payload;
            if (inLaw != outLaw)
            {
                var converted = new byte[payload.Length];
                G711.Transcode(inLaw, outLaw, payload.Span, converted);
                payload = converted;
            }
            mapped = packet with { PayloadType = to.Codec.PayloadType, Payload = payload };
        }
        else if (packet.PayloadType == from.TelephoneEventPayloadType && to.TelephoneEventPayloadType is { } te)
        {
            mapped = packet with { PayloadType = te };
        }

        if (mapped is null)
        {
            Dropped++;
            return null;
        }
        Forwarded++;
        return to.Output.Rewrite(mapped);
    }
}
