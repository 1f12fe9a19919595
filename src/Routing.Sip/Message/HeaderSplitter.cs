namespace Routing.Sip.Message;

/// <summary>Splits a header value at top-level commas: commas inside quoted strings or angle brackets do not count.</summary>
public static class HeaderSplitter
{
    public static List<string> SplitCommas(string value)
    {
        var result = new List<string>(1);
        foreach (var range in SplitCommaRanges(value))
            result.Add(value[range].Trim(' ', '\t'));
        return result;
    }

    internal static List<Range> SplitCommaRanges(ReadOnlySpan<char> value)
    {
        var result = new List<Range>(1);
        var inQuotes = false;
        var inAngles = false;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\') i++;
                else if (c == '"') inQuotes = false;
            }
            else if (c == '"') inQuotes = true;
            else if (c == '<') inAngles = true;
            else if (c == '>') inAngles = false;
            else if (c == ',' && !inAngles)
            {
                result.Add(start..i);
                start = i + 1;
            }
        }
        result.Add(start..value.Length);
        return result;
    }
}
