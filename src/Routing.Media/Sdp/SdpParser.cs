using System.Globalization;

namespace Routing.Media.Sdp;

/// <summary>Thrown by <see cref="SessionDescription.Parse"/> for a description that cannot be used.</summary>
public sealed class SdpParseException(string message) : FormatException(message);

/// <summary>
/// Reads SDP (RFC 4566) leniently where real equipment is sloppy (bare LF line ends, missing s= or t=, unknown
/// line types are ignored) and strictly where a mistake would mislead us (v=, o=, c= and m= syntax).
/// </summary>
internal static class SdpParser
{
    public static SessionDescription Parse(string text) =>
        TryParse(text, out var description, out var error) ? description! : throw new SdpParseException(error!);

    public static bool TryParse(string text, out SessionDescription? description, out string? error)
    {
        description = null;
        var session = new SessionDescription();
        MediaDescription? media = null;
        var lineNumber = 0;
        var sawOrigin = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0) continue;
            lineNumber++;
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
                return Fail($"line {lineNumber} is not <type>=<value>: '{Truncate(line)}'", out error);
            var type = line[0];
            var value = line[2..];

            if (lineNumber == 1)
            {
                if (type != 'v') return Fail("the description does not start with v=", out error);
                if (value.Trim() != "0") return Fail($"unsupported SDP version '{value}'", out error);
                continue;
            }

            switch (type)
            {
                case 'v':
                    return Fail("v= appears twice", out error);
                case 'o' when media is null:
                    if (!TryParseOrigin(value, out var origin)) return Fail($"malformed o= line '{Truncate(value)}'", out error);
                    session.Origin = origin;
                    sawOrigin = true;
                    break;
                case 's' when media is null:
                    session.SessionName = value;
                    break;
                case 'c':
                    if (!TryParseConnection(value, out var connection)) return Fail($"malformed c= line '{Truncate(value)}'", out error);
                    if (media is null) session.Connection = connection;
                    else media.Connection = connection;
                    break;
                case 'b':
                    (media?.Bandwidths ?? session.Bandwidths).Add(value);
                    break;
                case 't' when media is null:
                    session.Timings.Add(value);
                    break;
                case 'a':
                    if (value.Length == 0) return Fail($"empty a= line {lineNumber}", out error);
                    (media?.Attributes ?? session.Attributes).Add(SdpAttribute.Parse(value));
                    break;
                case 'm':
                    if (!TryParseMedia(value, out var next)) return Fail($"malformed m= line '{Truncate(value)}'", out error);
                    session.Media.Add(next);
                    media = next;
                    break;
                case 'i' when media is not null:
                    media.Information = value;
                    break;
                default:
                    // Unknown or misplaced lines are ignored (RFC 4566 §5); session-level extras are kept verbatim.
                    if (media is null) session.OtherLines.Add(new SdpLine(type, value));
                    break;
            }
        }
        if (lineNumber == 0) return Fail("the description is empty", out error);
        if (!sawOrigin) return Fail("the description has no o= line", out error);
        description = session;
        error = null;
        return true;
    }

    private static bool TryParseOrigin(string value, out SdpOrigin origin)
    {
        origin = null!;
        var f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 6) return false;
        if (!ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return false;
        if (!ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return false;
        origin = new SdpOrigin(f[0], id, version, f[3], f[4], f[5]);
        return true;
    }

    private static bool TryParseConnection(string value, out SdpConnection connection)
    {
        connection = null!;
        var f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 3) return false;
        connection = new SdpConnection(f[0], f[1], f[2]);
        return true;
    }

    private static bool TryParseMedia(string value, out MediaDescription media)
    {
        media = null!;
        var f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 3) return false;
        var portText = f[1];
        int? count = null;
        var slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(portText[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
            count = n;
            portText = portText[..slash];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535) return false;
        media = new MediaDescription { Media = f[0], Port = port, PortCount = count, Protocol = f[2] };
        media.Formats.AddRange(f.Skip(3));
        return true;
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "...";

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }
}
