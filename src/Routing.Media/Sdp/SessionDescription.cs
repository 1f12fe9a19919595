using System.Globalization;
using System.Text;

namespace Routing.Media.Sdp;

/// <summary>An SDP session description (RFC 4566): session-level lines and the media descriptions, in order.</summary>
public sealed class SessionDescription
{
    public int Version { get; set; }
    public SdpOrigin Origin { get; set; } = new("-", 0, 0, "IN", "IP4", "0.0.0.0");
    public string SessionName { get; set; } = "-";

    /// <summary>Session-level c= line, the default for media descriptions without their own.</summary>
    public SdpConnection? Connection { get; set; }

    public List<string> Bandwidths { get; } = [];

    /// <summary>t= lines; "0 0" (unbounded) when empty on writing.</summary>
    public List<string> Timings { get; } = [];
    public List<SdpAttribute> Attributes { get; } = [];
    public List<MediaDescription> Media { get; } = [];

    /// <summary>Other session-level lines (i=, u=, e=, p=, z=, k=, r=) kept verbatim so they survive a round trip.</summary>
    public List<SdpLine> OtherLines { get; } = [];

    /// <summary>The session-level direction attribute, if any.</summary>
    public MediaDirection? Direction => SdpAttribute.FindDirection(Attributes);

    public static SessionDescription Parse(string text) => SdpParser.Parse(text);

    public static bool TryParse(string text, out SessionDescription? description, out string? error) =>
        SdpParser.TryParse(text, out description, out error);

    /// <summary>Writes the description with CRLF line ends and lines in the order RFC 4566 §5 requires.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Line(sb, 'v', Version.ToString(CultureInfo.InvariantCulture));
        Line(sb, 'o', Origin.ToString());
        Line(sb, 's', string.IsNullOrEmpty(SessionName) ? "-" : SessionName);
        foreach (var other in OtherLines.Where(l => l.Type is 'i' or 'u' or 'e' or 'p')) Line(sb, other.Type, other.Value);
        if (Connection is { } c) Line(sb, 'c', c.ToString());
        foreach (var b in Bandwidths) Line(sb, 'b', b);
        if (Timings.Count == 0) Line(sb, 't', "0 0");
        foreach (var t in Timings) Line(sb, 't', t);
        foreach (var other in OtherLines.Where(l => l.Type is 'r' or 'z' or 'k')) Line(sb, other.Type, other.Value);
        foreach (var a in Attributes) Line(sb, 'a', a.ToString());
        foreach (var m in Media) m.Write(sb);
        return sb.ToString();
    }

    internal static void Line(StringBuilder sb, char type, string value) => sb.Append(type).Append('=').Append(value).Append("\r\n");
}

/// <summary>One m= section with its own lines.</summary>
public sealed class MediaDescription
{
    public string Media { get; set; } = "audio";

    /// <summary>Transport port; 0 in an answer (or offer) means the stream is rejected or disabled.</summary>
    public int Port { get; set; }

    public int? PortCount { get; set; }
    public string Protocol { get; set; } = "RTP/AVP";

    /// <summary>Formats in preference order; RTP payload type numbers for RTP/AVP.</summary>
    public List<string> Formats { get; } = [];

    public string? Information { get; set; }
    public SdpConnection? Connection { get; set; }
    public List<string> Bandwidths { get; } = [];
    public List<SdpAttribute> Attributes { get; } = [];

    public bool IsRejected => Port == 0;

    public MediaDirection? Direction => SdpAttribute.FindDirection(Attributes);

    /// <summary>The direction in effect: the media attribute, else the session attribute, else sendrecv.</summary>
    public MediaDirection EffectiveDirection(SessionDescription session) =>
        Direction ?? session.Direction ?? MediaDirection.SendRecv;

    /// <summary>The connection in effect: the media c= line, else the session one.</summary>
    public SdpConnection? EffectiveConnection(SessionDescription session) => Connection ?? session.Connection;

    public IEnumerable<byte> PayloadTypes =>
        Formats.Select(f => byte.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127 ? (int)pt : -1)
            .Where(pt => pt >= 0).Select(pt => (byte)pt);

    public string? GetAttribute(string name) => Attributes.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The a=rtpmap of a payload type, or the static RFC 3551 assignment for 0 and 8.</summary>
    public SdpRtpMap? GetRtpMap(byte payloadType)
    {
        foreach (var a in Attributes)
        {
            if (a.Name.Equals("rtpmap", StringComparison.OrdinalIgnoreCase) && SdpRtpMap.TryParse(a.Value, out var map) && map.PayloadType == payloadType)
                return map;
        }
        return SdpRtpMap.Static(payloadType);
    }

    /// <summary>The a=fmtp parameters of a payload type, or null.</summary>
    public string? GetFmtp(byte payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture);
        foreach (var a in Attributes)
        {
            if (!a.Name.Equals("fmtp", StringComparison.OrdinalIgnoreCase) || a.Value is null) continue;
            var space = a.Value.IndexOf(' ');
            if (space > 0 && a.Value[..space] == prefix) return a.Value[(space + 1)..].Trim();
        }
        return null;
    }

    /// <summary>a=ptime in milliseconds, if present.</summary>
    public int? PacketTime =>
        int.TryParse(GetAttribute("ptime"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;

    internal void Write(StringBuilder sb)
    {
        var port = PortCount is { } n ? $"{Port}/{n}" : Port.ToString(CultureInfo.InvariantCulture);
        SessionDescription.Line(sb, 'm', $"{Media} {port} {Protocol} {string.Join(' ', Formats)}");
        if (Information is not null) SessionDescription.Line(sb, 'i', Information);
        if (Connection is { } c) SessionDescription.Line(sb, 'c', c.ToString());
        foreach (var b in Bandwidths) SessionDescription.Line(sb, 'b', b);
        foreach (var a in Attributes) SessionDescription.Line(sb, 'a', a.ToString());
    }
}

/// <summary>The o= line; the version must grow whenever a new offer changes the session (RFC 3264 §8).</summary>
public sealed record SdpOrigin(string UserName, ulong SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}");
}

/// <summary>A c= line: network type, address type and address (TTL and multicast ranges are kept in the address).</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    public static SdpConnection Ip4(string address) => new("IN", "IP4", address);
    public static SdpConnection Ip6(string address) => new("IN", "IP6", address);

    /// <summary>RFC 2543 hold: c=0.0.0.0, still sent by older equipment.</summary>
    public bool IsNullAddress => Address is "0.0.0.0" or "::";

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>Any line of a description, type letter and value.</summary>
public sealed record SdpLine(char Type, string Value);

/// <summary>An a= line: a property attribute (<c>a=sendonly</c>) or a value attribute (<c>a=rtpmap:0 PCMU/8000</c>).</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public static SdpAttribute Parse(string text)
    {
        var colon = text.IndexOf(':');
        return colon < 0 ? new SdpAttribute(text) : new SdpAttribute(text[..colon], text[(colon + 1)..]);
    }

    public static SdpAttribute For(MediaDirection direction) => new(direction switch
    {
        MediaDirection.SendRecv => "sendrecv",
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        _ => "inactive",
    });

    internal static MediaDirection? FindDirection(IEnumerable<SdpAttribute> attributes)
    {
        foreach (var a in attributes)
        {
            if (a.Value is not null) continue;
            switch (a.Name.ToLowerInvariant())
            {
                case "sendrecv": return MediaDirection.SendRecv;
                case "sendonly": return MediaDirection.SendOnly;
                case "recvonly": return MediaDirection.RecvOnly;
                case "inactive": return MediaDirection.Inactive;
            }
        }
        return null;
    }

    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>An a=rtpmap value: <c>101 telephone-event/8000</c>.</summary>
public sealed record SdpRtpMap(byte PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    public static SdpRtpMap? Static(byte payloadType) => payloadType switch
    {
        0 => new SdpRtpMap(0, "PCMU", 8000),
        8 => new SdpRtpMap(8, "PCMA", 8000),
        _ => null,
    };

    public static bool TryParse(string? value, out SdpRtpMap map)
    {
        map = null!;
        if (value is null) return false;
        var parts = value.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127) return false;
        var encoding = parts[1].Split('/');
        if (encoding.Length < 2 || !int.TryParse(encoding[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rate)) return false;
        int? channels = null;
        if (encoding.Length > 2)
        {
            if (!int.TryParse(encoding[2], NumberStyles.None, CultureInfo.InvariantCulture, out var c)) return false;
            channels = c;
        }
        map = new SdpRtpMap(pt, encoding[0], rate, channels);
        return true;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}{(Channels is { } c ? $"/{c}" : "")}");
}

/// <summary>Media direction attributes (RFC 3264 §5.1, §8.4 for hold).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>Helpers for combining directions between offer and answer.</summary>
public static class MediaDirections
{
    public static bool Sends(this MediaDirection d) => d is MediaDirection.SendRecv or MediaDirection.SendOnly;
    public static bool Receives(this MediaDirection d) => d is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    public static MediaDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => MediaDirection.SendRecv,
        (true, false) => MediaDirection.SendOnly,
        (false, true) => MediaDirection.RecvOnly,
        _ => MediaDirection.Inactive,
    };

    /// <summary>The same stream seen from the other end: sendonly becomes recvonly.</summary>
    public static MediaDirection Reverse(this MediaDirection d) => From(d.Receives(), d.Sends());

    /// <summary>What both ends allow.</summary>
    public static MediaDirection Intersect(this MediaDirection a, MediaDirection b) =>
        From(a.Sends() && b.Sends(), a.Receives() && b.Receives());
}
