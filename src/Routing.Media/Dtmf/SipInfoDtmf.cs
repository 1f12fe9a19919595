using System.Globalization;

namespace Routing.Media.Dtmf;

/// <summary>A digit received in a SIP INFO body, with its duration in milliseconds when the body gives one.</summary>
public sealed record SipInfoDigit(char Digit, int? DurationMs);

/// <summary>
/// Reads DTMF from SIP INFO bodies, for peers without RFC 4733: <c>application/dtmf-relay</c>
/// ("Signal=5\r\nDuration=160") and <c>application/dtmf</c> (the bare digit, or the same key=value form).
/// </summary>
public static class SipInfoDtmf
{
    public const string DtmfRelay = "application/dtmf-relay";
    public const string Dtmf = "application/dtmf";

    public static bool IsDtmfContentType(string? contentType) => MediaType(contentType) is DtmfRelay or Dtmf;

    public static bool TryParse(string? contentType, string body, out SipInfoDigit digit)
    {
        digit = null!;
        var type = MediaType(contentType);
        if (type is not (DtmfRelay or Dtmf)) return false;

        char? signal = null;
        int? duration = null;
        var lines = body.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                // application/dtmf: the body is the digit (or its event number).
                if (type == Dtmf && lines.Length == 1 && TryReadSignal(line, out var bare)) signal = bare;
                continue;
            }
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (key.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryReadSignal(value, out var s)) return false;
                signal = s;
            }
            else if (key.Equals("Duration", StringComparison.OrdinalIgnoreCase)
                     && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                duration = ms;
            }
        }
        if (signal is null) return false;
        digit = new SipInfoDigit(signal.Value, duration);
        return true;
    }

    private static bool TryReadSignal(string value, out char digit)
    {
        digit = default;
        if (value.Length == 1 && DtmfDigits.TryGetEvent(value[0], out var code))
        {
            digit = DtmfDigits.ToDigit(code)!.Value;
            return true;
        }
        // Some equipment sends the event number: "Signal=10" for '*', "11" for '#'.
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 15)
        {
            digit = DtmfDigits.ToDigit((byte)n)!.Value;
            return true;
        }
        return false;
    }

    private static string? MediaType(string? contentType)
    {
        if (contentType is null) return null;
        var semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }
}
