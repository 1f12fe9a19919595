using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Routing.Media.Sdp;

/// <summary>What we can do on one leg: our RTP address, codecs in our preference order, telephone-event, direction.</summary>
public sealed record LocalMedia(string Address, int Port)
{
    public IReadOnlyList<AudioCodec> Codecs { get; init; } = [AudioCodec.Pcmu, AudioCodec.Pcma];

    /// <summary>Payload type we offer for RFC 4733 telephone-event; null to not offer it. Answers reuse the offerer's number.</summary>
    public byte? TelephoneEventPayloadType { get; init; } = 101;

    /// <summary>What we want: sendrecv normally, sendonly to put the other side on hold, inactive to stop both ways.</summary>
    public MediaDirection Direction { get; init; } = MediaDirection.SendRecv;

    public int PacketTimeMs { get; init; } = 20;
}

/// <summary>The audio stream agreed by an offer/answer exchange, from our side.</summary>
public sealed record NegotiatedAudio
{
    /// <summary>Codec to send and expect, with the payload type number used on this leg.</summary>
    public required AudioCodec Codec { get; init; }

    /// <summary>RFC 4733 payload type on this leg, null when the peer does not do telephone-event (fall back to SIP INFO).</summary>
    public byte? TelephoneEventPayloadType { get; init; }

    /// <summary>What we may do: e.g. SendOnly when the peer put us on hold with sendonly (we play, it does not).</summary>
    public required MediaDirection Direction { get; init; }

    /// <summary>The peer's connection address and port from SDP (the symmetric-RTP latch may replace it later).</summary>
    public required string RemoteAddress { get; init; }

    public required int RemotePort { get; init; }

    /// <summary>The peer asked not to receive media: sendonly/inactive, or the RFC 2543 c=0.0.0.0 form.</summary>
    public bool RemoteHold { get; init; }

    public int PacketTimeMs { get; init; } = 20;

    /// <summary>The remote RTP endpoint when the address is an IP literal and not the null hold address.</summary>
    public IPEndPoint? RemoteEndPoint =>
        IPAddress.TryParse(RemoteAddress, out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)
            ? new IPEndPoint(ip, RemotePort)
            : null;
}

/// <summary>The answer to send and, when an audio stream was accepted, what it is; otherwise why not (answer 488).</summary>
public sealed record SdpAnswerResult(SessionDescription Answer, NegotiatedAudio? Audio, string? FailureReason)
{
    public bool IsAccepted => Audio is not null;
}

/// <summary>The outcome of receiving an answer to our offer.</summary>
public sealed record SdpAnswerOutcome(NegotiatedAudio? Audio, string? FailureReason)
{
    public bool IsAccepted => Audio is not null;
}

/// <summary>
/// RFC 3264 offer/answer for one leg: G.711 (PCMU, PCMA) plus RFC 4733 telephone-event on a single audio
/// stream. Keeps our o= line so that each new description of the session gets the next version and a repeated
/// identical one keeps it (§8). The answer picks the first codec of the offer that we support (the offerer's
/// preference), mirrors its payload type numbers, and rejects every other stream with port 0 (§6).
/// </summary>
public sealed class SdpNegotiator
{
    private const string TelephoneEvent = "telephone-event";
    private static readonly (int From, int To) SupportedEvents = (0, 15);
    private string? _lastBody;

    public SdpNegotiator(string userName = "routing", ulong? sessionId = null)
    {
        UserName = userName;
        SessionId = sessionId ?? (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue);
        SessionVersion = SessionId;
    }

    public string UserName { get; }
    public ulong SessionId { get; }
    public ulong SessionVersion { get; private set; }

    public SessionDescription CreateOffer(LocalMedia local)
    {
        var sdp = NewDescription(local);
        var media = new MediaDescription { Media = "audio", Port = local.Port, Protocol = "RTP/AVP" };
        foreach (var codec in local.Codecs)
        {
            media.Formats.Add(Pt(codec.PayloadType));
            media.Attributes.Add(new SdpAttribute("rtpmap", codec.ToRtpMap().ToString()));
        }
        if (local.TelephoneEventPayloadType is { } te) AddTelephoneEvent(media, te, $"{SupportedEvents.From}-{SupportedEvents.To}");
        media.Attributes.Add(new SdpAttribute("ptime", Pt(local.PacketTimeMs)));
        media.Attributes.Add(SdpAttribute.For(local.Direction));
        sdp.Media.Add(media);
        return Stamp(sdp);
    }

    public SdpAnswerResult Answer(SessionDescription offer, LocalMedia local)
    {
        var answer = NewDescription(local);
        NegotiatedAudio? audio = null;
        string? reason = null;
        foreach (var offered in offer.Media)
        {
            if (audio is not null)
            {
                answer.Media.Add(Rejected(offered)); // one audio stream per call
                continue;
            }
            if (TryAccept(offer, offered, local, out var accepted, out var line, out var why))
            {
                audio = accepted;
                answer.Media.Add(line);
                continue;
            }
            reason ??= why;
            answer.Media.Add(Rejected(offered));
        }
        if (audio is null) reason ??= "the offer has no media stream";
        return new SdpAnswerResult(Stamp(answer), audio, audio is null ? reason : null);
    }

    /// <summary>Reads the answer to an offer we made with <paramref name="local"/> (RFC 3264 §7).</summary>
    public static SdpAnswerOutcome ProcessAnswer(SessionDescription offer, SessionDescription answer, LocalMedia local)
    {
        if (answer.Media.Count != offer.Media.Count)
            return new SdpAnswerOutcome(null, $"the answer has {answer.Media.Count} m= lines for {offer.Media.Count} offered");
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var ours = offer.Media[i];
            var theirs = answer.Media[i];
            if (ours.IsRejected || !IsAudioRtp(ours)) continue;
            if (theirs.IsRejected) return new SdpAnswerOutcome(null, "the audio stream was rejected (port 0)");

            // An answer that lists several codecs accepts to receive any of them (RFC 3264 §6.1): send the one we
            // prefer (our offer's order), so that a gateway which offered the other leg's codec first can relay untouched.
            AudioCodec? codec = null;
            foreach (var preferred in local.Codecs)
            {
                foreach (var pt in theirs.PayloadTypes)
                {
                    if (theirs.GetRtpMap(pt) is not { } map || !preferred.SameEncoding(map)) continue;
                    codec = preferred with { PayloadType = pt };
                    break;
                }
                if (codec is not null) break;
            }
            if (codec is null) return new SdpAnswerOutcome(null, "the answer names no codec we offered");

            var te = FindTelephoneEvent(theirs, out _);
            if (te is not null && local.TelephoneEventPayloadType is null) te = null;
            if (theirs.EffectiveConnection(answer) is not { } connection)
                return new SdpAnswerOutcome(null, "the answer has no connection address");
            var remote = theirs.EffectiveDirection(answer);
            var hold = connection.IsNullAddress || !remote.Receives();
            return new SdpAnswerOutcome(new NegotiatedAudio
            {
                Codec = codec,
                TelephoneEventPayloadType = te,
                Direction = local.Direction.Intersect(remote.Reverse()).Intersect(connection.IsNullAddress ? MediaDirection.RecvOnly : MediaDirection.SendRecv),
                RemoteAddress = connection.Address,
                RemotePort = theirs.Port,
                RemoteHold = hold,
                PacketTimeMs = theirs.PacketTime ?? 20,
            }, null);
        }
        return new SdpAnswerOutcome(null, "we offered no audio stream");
    }

    private static bool TryAccept(SessionDescription offer, MediaDescription offered, LocalMedia local,
        out NegotiatedAudio audio, out MediaDescription line, out string? reason)
    {
        audio = null!;
        line = null!;
        if (offered.IsRejected) return Fail("the offered stream is disabled (port 0)", out reason);
        if (!IsAudioRtp(offered)) return Fail($"unsupported stream {offered.Media} {offered.Protocol}", out reason);
        if (offered.EffectiveConnection(offer) is not { } connection) return Fail("the offer has no connection address", out reason);
        if (!connection.NetworkType.Equals("IN", StringComparison.OrdinalIgnoreCase)) return Fail($"unsupported network type {connection.NetworkType}", out reason);

        AudioCodec? codec = null;
        foreach (var pt in offered.PayloadTypes)
        {
            if (offered.GetRtpMap(pt) is not { } map) continue;
            if (local.Codecs.FirstOrDefault(c => c.SameEncoding(map)) is { } match)
            {
                codec = match with { PayloadType = pt };
                break;
            }
        }
        if (codec is null) return Fail("no common codec (we support " + string.Join(", ", local.Codecs.Select(c => c.EncodingName)) + ")", out reason);

        byte? te = null;
        string? events = null;
        if (local.TelephoneEventPayloadType is not null && FindTelephoneEvent(offered, out var fmtp) is { } offeredTe)
        {
            events = IntersectEvents(fmtp);
            if (events is not null) te = offeredTe;
        }

        var remote = offered.EffectiveDirection(offer);
        var ours = local.Direction.Intersect(remote.Reverse());
        if (connection.IsNullAddress) ours = ours.Intersect(MediaDirection.RecvOnly); // RFC 2543 hold: do not send

        line = new MediaDescription { Media = offered.Media, Port = local.Port, Protocol = offered.Protocol };
        line.Formats.Add(Pt(codec.PayloadType));
        line.Attributes.Add(new SdpAttribute("rtpmap", codec.ToRtpMap().ToString()));
        if (te is { } tePt) AddTelephoneEvent(line, tePt, events!);
        line.Attributes.Add(new SdpAttribute("ptime", Pt(local.PacketTimeMs)));
        line.Attributes.Add(SdpAttribute.For(ours));

        audio = new NegotiatedAudio
        {
            Codec = codec,
            TelephoneEventPayloadType = te,
            Direction = ours,
            RemoteAddress = connection.Address,
            RemotePort = offered.Port,
            RemoteHold = connection.IsNullAddress || !remote.Receives(),
            PacketTimeMs = offered.PacketTime ?? 20,
        };
        reason = null;
        return true;
    }

    private static bool IsAudioRtp(MediaDescription m) =>
        m.Media.Equals("audio", StringComparison.OrdinalIgnoreCase) && m.Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase);

    private static byte? FindTelephoneEvent(MediaDescription m, out string? fmtp)
    {
        foreach (var pt in m.PayloadTypes)
        {
            if (m.GetRtpMap(pt) is { } map && map.EncodingName.Equals(TelephoneEvent, StringComparison.OrdinalIgnoreCase) && map.ClockRate == 8000)
            {
                fmtp = m.GetFmtp(pt);
                return pt;
            }
        }
        fmtp = null;
        return null;
    }

    /// <summary>The events of an fmtp list ("0-15,66") that we handle, as an fmtp value; null if none. No fmtp means 0-15 (RFC 4733 §2.5.1.1).</summary>
    internal static string? IntersectEvents(string? fmtp)
    {
        if (string.IsNullOrWhiteSpace(fmtp)) return $"{SupportedEvents.From}-{SupportedEvents.To}";
        var supported = new SortedSet<int>();
        foreach (var item in fmtp.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-');
            var fromText = dash < 0 ? item : item[..dash];
            var toText = dash < 0 ? item : item[(dash + 1)..];
            if (!int.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var from)) continue;
            if (!int.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var to)) continue;
            for (var e = Math.Max(from, SupportedEvents.From); e <= Math.Min(to, SupportedEvents.To); e++) supported.Add(e);
        }
        if (supported.Count == 0) return null;
        // Compress back into ranges: {0..11, 14} -> "0-11,14".
        var ranges = new List<string>();
        int? start = null, previous = null;
        foreach (var e in supported.Append(int.MaxValue))
        {
            if (start is null) start = e;
            else if (e != previous + 1)
            {
                ranges.Add(start == previous ? Pt(start.Value) : $"{start}-{previous}");
                start = e;
            }
            previous = e;
        }
        return string.Join(',', ranges);
    }

    private static void AddTelephoneEvent(MediaDescription media, byte pt, string events)
    {
        media.Formats.Add(Pt(pt));
        media.Attributes.Add(new SdpAttribute("rtpmap", $"{pt} {TelephoneEvent}/8000"));
        media.Attributes.Add(new SdpAttribute("fmtp", $"{pt} {events}"));
    }

    private static MediaDescription Rejected(MediaDescription offered)
    {
        var line = new MediaDescription { Media = offered.Media, Port = 0, Protocol = offered.Protocol };
        line.Formats.AddRange(offered.Formats.Count > 0 ? offered.Formats : ["0"]);
        return line;
    }

    private SessionDescription NewDescription(LocalMedia local)
    {
        var addressType = IPAddress.TryParse(local.Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        return new SessionDescription
        {
            Origin = new SdpOrigin(UserName, SessionId, SessionVersion, "IN", addressType, local.Address),
            SessionName = "-",
            Connection = new SdpConnection("IN", addressType, local.Address),
        };
    }

    /// <summary>Bumps o= version when the content differs from the last description we produced.</summary>
    private SessionDescription Stamp(SessionDescription sdp)
    {
        var withoutOrigin = string.Join("\r\n", sdp.ToString().Split("\r\n").Where(l => !l.StartsWith("o=", StringComparison.Ordinal)));
        if (_lastBody is not null && withoutOrigin != _lastBody) SessionVersion++;
        _lastBody = withoutOrigin;
        sdp.Origin = sdp.Origin with { SessionVersion = SessionVersion };
        return sdp;
    }

    private static string Pt(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool Fail(string why, out string? reason)
    {
        reason = why;
        return false;
    }
}
