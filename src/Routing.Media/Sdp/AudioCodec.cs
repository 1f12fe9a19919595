using Routing.Media.Codecs;

namespace Routing.Media.Sdp;

/// <summary>An audio codec as negotiated: the payload type in use on this leg (static or dynamic) and its encoding.</summary>
public sealed record AudioCodec(byte PayloadType, string EncodingName, int ClockRate = 8000)
{
    public static AudioCodec Pcmu { get; } = new(0, "PCMU");
    public static AudioCodec Pcma { get; } = new(8, "PCMA");

    /// <summary>The G.711 law, or null for a codec this library cannot encode.</summary>
    public G711Law? Law => EncodingName.ToUpperInvariant() switch
    {
        "PCMU" => G711Law.MuLaw,
        "PCMA" => G711Law.ALaw,
        _ => null,
    };

    /// <summary>Same encoding and clock rate, whatever the payload type number.</summary>
    public bool SameEncoding(SdpRtpMap map) =>
        map.EncodingName.Equals(EncodingName, StringComparison.OrdinalIgnoreCase) && map.ClockRate == ClockRate && map.Channels is null or 1;

    public SdpRtpMap ToRtpMap() => new(PayloadType, EncodingName, ClockRate);

    public override string ToString() => $"{EncodingName}/{ClockRate} ({PayloadType})";
}
