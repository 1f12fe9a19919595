using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Routing.Domain.Config;

/// <summary>The small textual syntaxes of the configuration file (durations, service levels, hours, digits, names), read and written.</summary>
public static partial class ConfigSyntax
{
    /// <summary>The keys a menu accepts: phone keys in the order of a keypad.</summary>
    public const string MenuDigits = "1234567890*#";

    /// <summary>Weekday names as written in the file, Monday first.</summary>
    public static readonly ImmutableArray<(string Name, DayOfWeek Day)> Days =
    [
        ("mon", DayOfWeek.Monday), ("tue", DayOfWeek.Tuesday), ("wed", DayOfWeek.Wednesday), ("thu", DayOfWeek.Thursday),
        ("fri", DayOfWeek.Friday), ("sat", DayOfWeek.Saturday), ("sun", DayOfWeek.Sunday),
    ];

    // ---- durations: 30, 30s, 2m, 1h30m, 1m 30s ----

    [GeneratedRegex(@"^\s*(?:(?<h>\d+)\s*h)?\s*(?:(?<m>\d+)\s*m(?:in)?)?\s*(?:(?<s>\d+)\s*s(?:ec)?)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();

    /// <summary>Reads a duration in whole seconds: "30" (seconds), "30s", "2m", "1h30m". Null when the text is not a duration.</summary>
    public static int? ParseDuration(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) return null;
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var plain))
            return plain is >= int.MinValue and <= int.MaxValue ? (int)plain : null;
        var negative = t.StartsWith('-');
        var m = DurationRegex().Match(negative ? t[1..] : t);
        if (!m.Success || (!m.Groups["h"].Success && !m.Groups["m"].Success && !m.Groups["s"].Success)) return null;
        long total = 0;
        foreach (var (group, factor) in new[] { ("h", 3600L), ("m", 60L), ("s", 1L) })
        {
            if (!m.Groups[group].Success) continue;
            if (!long.TryParse(m.Groups[group].Value, CultureInfo.InvariantCulture, out var v) || v > int.MaxValue) return null;
            total += v * factor;
        }
        if (total > int.MaxValue) return null;
        return negative ? -(int)total : (int)total;
    }

    /// <summary>Writes seconds the way a person would: 20s, 2m, 1m30s, 1h30m.</summary>
    public static string FormatDuration(int seconds)
    {
        if (seconds == 0) return "0s";
        var sb = new StringBuilder();
        if (seconds < 0) { sb.Append('-'); seconds = -seconds; }
        var (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        if (h > 0) sb.Append(h).Append('h');
        if (m > 0) sb.Append(m).Append('m');
        if (s > 0) sb.Append(s).Append('s');
        return sb.ToString();
    }

    // ---- service level: "80% in 20s" ----

    [GeneratedRegex(@"^\s*(?<p>[-+]?\d+(?:\.\d+)?)\s*%\s*(?:in|within)\s+(?<d>.+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ServiceLevelRegex();

    /// <summary>Reads "80% in 20s" (or "within"); the numbers are returned unchecked. Null when the shape is wrong.</summary>
    public static (double Percent, int Seconds)? ParseServiceLevel(string text)
    {
        var m = ServiceLevelRegex().Match(text);
        if (!m.Success) return null;
        if (!double.TryParse(m.Groups["p"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return null;
        return ParseDuration(m.Groups["d"].Value) is { } s ? (p, s) : null;
    }

    public static string FormatServiceLevel(ServiceLevelTarget sl) =>
        $"{sl.Percent.ToString("0.##", CultureInfo.InvariantCulture)}% in {FormatDuration(sl.Seconds)}";

    // ---- routing strategy: kebab-case names of the enum ----

    public static string StrategyName(RoutingStrategy s) => Kebab(s.ToString());

    public static IEnumerable<string> StrategyNames => Enum.GetValues<RoutingStrategy>().Select(StrategyName);

    public static RoutingStrategy? ParseStrategy(string text)
    {
        foreach (var s in Enum.GetValues<RoutingStrategy>())
            if (string.Equals(StrategyName(s), text.Trim(), StringComparison.OrdinalIgnoreCase)) return s;
        return null;
    }

    private static string Kebab(string pascal)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    // ---- opening hours ----

    /// <summary>Reads a day spec: "mon", "mon-fri", "sat,sun", "daily". Null when a name is unknown.</summary>
    public static ImmutableArray<DayOfWeek>? ParseDays(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "daily" or "every day" or "all") return [.. Days.Select(d => d.Day)];
        var result = new List<DayOfWeek>();
        foreach (var part in t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2) return null;
            var from = IndexOfDay(ends[0]);
            var to = ends.Length == 2 ? IndexOfDay(ends[1]) : from;
            if (from < 0 || to < 0) return null;
            for (var i = from; ; i = (i + 1) % 7)
            {
                result.Add(Days[i].Day);
                if (i == to) break;
            }
        }
        return result.Count == 0 ? null : [.. result];
    }

    private static int IndexOfDay(string name)
    {
        for (var i = 0; i < Days.Length; i++)
            if (Days[i].Name == name) return i;
        return -1;
    }

    public static string DayName(DayOfWeek d) => Days.First(x => x.Day == d).Name;

    /// <summary>Monday-first position of a day, to sort the week the way people read it.</summary>
    public static int DayIndex(DayOfWeek d) => ((int)d + 6) % 7;

    [GeneratedRegex(@"^\s*(?<oh>\d{1,2}):(?<om>\d{2})\s*-\s*(?<ch>\d{1,2}):(?<cm>\d{2})\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex IntervalRegex();

    /// <summary>Reads "08:00-18:00"; the close may be "24:00" (end of day). Null when malformed; Close &lt;= Open is left to the caller.</summary>
    public static (TimeOnly Open, TimeOnly Close)? ParseInterval(string text)
    {
        var m = IntervalRegex().Match(text);
        if (!m.Success) return null;
        var oh = int.Parse(m.Groups["oh"].Value, CultureInfo.InvariantCulture);
        var om = int.Parse(m.Groups["om"].Value, CultureInfo.InvariantCulture);
        var ch = int.Parse(m.Groups["ch"].Value, CultureInfo.InvariantCulture);
        var cm = int.Parse(m.Groups["cm"].Value, CultureInfo.InvariantCulture);
        if (oh > 23 || om > 59 || cm > 59 || ch > 24 || (ch == 24 && cm != 0)) return null;
        var close = ch == 24 ? TimeOnly.MaxValue : new TimeOnly(ch, cm);
        return (new TimeOnly(oh, om), close);
    }

    public static string FormatInterval(OpenInterval i) =>
        $"{i.Open.ToString("HH:mm", CultureInfo.InvariantCulture)}-{(i.Close == TimeOnly.MaxValue ? "24:00" : i.Close.ToString("HH:mm", CultureInfo.InvariantCulture))}";

    /// <summary>Writes a set of days compactly: "mon-fri", "sat", "mon,wed,fri", "mon-sun".</summary>
    public static string FormatDays(IEnumerable<DayOfWeek> days)
    {
        var idx = days.Select(DayIndex).Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < idx.Count;)
        {
            var j = i;
            while (j + 1 < idx.Count && idx[j + 1] == idx[j] + 1) j++;
            parts.Add(j - i >= 2 ? $"{Days[idx[i]].Name}-{Days[idx[j]].Name}"
                : j == i ? Days[idx[i]].Name
                : $"{Days[idx[i]].Name},{Days[idx[j]].Name}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    // ---- names ----

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdRegex();

    [GeneratedRegex(@"^\+?[A-Za-z0-9*#._-]{1,64}$", RegexOptions.CultureInvariant)]
    internal static partial Regex NumberRegex();

    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", RegexOptions.CultureInvariant)]
    internal static partial Regex LanguageRegex();

    [GeneratedRegex(@"^(sips?|tel):\S+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex SipUriRegex();

    /// <summary>True when a time zone id is known to this machine (IANA ids such as Europe/Berlin; Windows ids where ICU maps them).</summary>
    public static bool IsKnownTimeZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) return false;
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
    }

    /// <summary>The option closest to what was written, when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string given, IEnumerable<string> options)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var o in options)
        {
            var d = Distance(given.ToLowerInvariant(), o.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (o, d);
        }
        if (best is null) return null;
        var allowed = Math.Max(2, Math.Min(given.Length, best.Length) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Levenshtein distance with adjacent transpositions counted as one edit.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
