using System.Globalization;

namespace Routing.Sip.Message;

/// <summary>The Date header format (RFC 3261 §20.17): RFC 1123 dates, and GMT is the only zone allowed.</summary>
public static class SipDate
{
    private const string Rfc1123 = "ddd, dd MMM yyyy HH:mm:ss 'GMT'";

    public static bool TryParse(string value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value.Trim(), Rfc1123, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);

    public static string Format(DateTimeOffset date) => date.UtcDateTime.ToString(Rfc1123, CultureInfo.InvariantCulture);
}
