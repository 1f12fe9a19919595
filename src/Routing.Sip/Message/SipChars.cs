namespace Routing.Sip.Message;

/// <summary>RFC 3261 §25.1 character classes, as lookup tables so the hot path has no branches per class.</summary>
internal static class SipChars
{
    private const byte Token = 1;
    private const byte Unreserved = 2;
    private const byte UserExtra = 4;
    private const byte PasswordExtra = 8;
    private const byte ParamExtra = 16;
    private const byte HeaderExtra = 32;
    private const byte Word = 64;
    private const byte Host = 128;

    private static readonly byte[] Table = Build();

    private static byte[] Build()
    {
        var t = new byte[128];
        for (var c = 'a'; c <= 'z'; c++) t[c] = 0xFF;
        for (var c = 'A'; c <= 'Z'; c++) t[c] = 0xFF;
        for (var c = '0'; c <= '9'; c++) t[c] = 0xFF;
        foreach (var c in "-.!%*_+`'~") t[c] |= Token;
        foreach (var c in "-_.!~*'()") t[c] |= Unreserved;
        foreach (var c in "&=+$,;?/") t[c] |= UserExtra;
        foreach (var c in "&=+$,") t[c] |= PasswordExtra;
        foreach (var c in "[]/:&+$") t[c] |= ParamExtra;
        foreach (var c in "[]/?:+$") t[c] |= HeaderExtra;
        foreach (var c in "-.!%*_+`'~()<>:\\\"/[]?{}") t[c] |= Word;
        foreach (var c in "-.") t[c] |= Host;
        return t;
    }

    public static bool IsToken(char c) => c < 128 && (Table[c] & Token) != 0;
    public static bool IsWordChar(char c) => c < 128 && (Table[c] & Word) != 0;
    public static bool IsUnreserved(char c) => c < 128 && (Table[c] & Unreserved) != 0;
    public static bool IsUserChar(char c) => c < 128 && (Table[c] & (Unreserved | UserExtra)) != 0;
    public static bool IsPasswordChar(char c) => c < 128 && (Table[c] & (Unreserved | PasswordExtra)) != 0;
    public static bool IsParamChar(char c) => c < 128 && (Table[c] & (Unreserved | ParamExtra)) != 0;
    public static bool IsHeaderChar(char c) => c < 128 && (Table[c] & (Unreserved | HeaderExtra)) != 0;
    public static bool IsHostChar(char c) => c < 128 && (Table[c] & Host) != 0;
    public static bool IsWhitespace(char c) => c is ' ' or '\t';
    public static bool IsDigit(char c) => (uint)(c - '0') <= 9;
    public static bool IsHex(char c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 5;

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if (!IsToken(c)) return false;
        return true;
    }

    /// <summary>Validates text in which %HH escapes are allowed and every other character must satisfy the predicate.</summary>
    public static bool IsEscapedText(ReadOnlySpan<char> s, Func<char, bool> allowed)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
                i += 2;
            }
            else if (!allowed(c)) return false;
        }
        return true;
    }

    public static ReadOnlySpan<char> TrimWs(ReadOnlySpan<char> s)
    {
        var start = 0;
        while (start < s.Length && IsWhitespace(s[start])) start++;
        var end = s.Length;
        while (end > start && IsWhitespace(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>Parses an unsigned decimal of at most <paramref name="max"/>; leading zeros allowed, anything else fails.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, ulong max, out ulong value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!IsDigit(c)) return false;
            var digit = (ulong)(c - '0');
            if (value > (max - digit) / 10) return false;
            value = value * 10 + digit;
        }
        return true;
    }

    /// <summary>Like <see cref="TryParseDecimal"/> but a too-large value saturates to <paramref name="max"/>.</summary>
    public static bool TryParseSaturating(ReadOnlySpan<char> s, ulong max, out ulong value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        var saturated = false;
        foreach (var c in s)
        {
            if (!IsDigit(c)) return false;
            if (saturated) continue;
            var digit = (ulong)(c - '0');
            if (value > (max - digit) / 10) { saturated = true; value = max; continue; }
            value = value * 10 + digit;
        }
        return true;
    }
}
