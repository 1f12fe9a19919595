using System.Text;

namespace Routing.Sip.Message;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 §19.1) or any other absolute URI kept opaque. Components are stored as
/// written (still %-escaped) so a forwarded URI is byte-identical; the *Unescaped accessors decode them.
/// Equality follows the comparison rules of RFC 3261 §19.1.4.
/// </summary>
public sealed class SipUri : IEquatable<SipUri>
{
    private SipUri(string scheme)
    {
        Scheme = scheme;
    }

    /// <summary>Scheme in lower case for sip/sips, otherwise as written.</summary>
    public string Scheme { get; }

    /// <summary>True for sip: and sips: URIs, whose structure is parsed.</summary>
    public bool IsSip { get; private init; }

    public bool IsSecure => IsSip && Scheme == "sips";

    /// <summary>For non-SIP URIs, everything after "scheme:".</summary>
    public string? Opaque { get; private init; }

    public string? User { get; private init; }
    public string? Password { get; private init; }
    public string Host { get; private init; } = "";
    public int? Port { get; private init; }
    public SipParameters Parameters { get; private init; } = new();
    /// <summary>URI headers (the part after '?'), as name=value pairs.</summary>
    public SipParameters Headers { get; private init; } = new();

    public string? UserUnescaped => User is null ? null : UriEscaping.Unescape(User);
    public string? PasswordUnescaped => Password is null ? null : UriEscaping.Unescape(Password);

    public string? Transport => GetParameter("transport");
    public string? Maddr => GetParameter("maddr");
    public bool LooseRouting => Parameters.Contains("lr");

    /// <summary>A URI parameter by (unescaped) name, unescaped; null when absent or valueless.</summary>
    public string? GetParameter(string name)
    {
        foreach (var p in Parameters)
            if (UriEscaping.EqualsUnescaped(p.Name, name))
                return p.Value is null ? null : UriEscaping.Unescape(p.Value);
        return null;
    }

    public bool HasParameter(string name)
    {
        foreach (var p in Parameters)
            if (UriEscaping.EqualsUnescaped(p.Name, name)) return true;
        return false;
    }

    /// <summary>Builds a sip/sips URI from unescaped parts.</summary>
    public static SipUri Create(string host, string? user = null, int? port = null, bool secure = false, params SipParameter[] parameters)
    {
        var uri = new SipUri(secure ? "sips" : "sip")
        {
            IsSip = true,
            User = user is null ? null : UriEscaping.Escape(user, SipChars.IsUserChar),
            Host = host,
            Port = port,
        };
        foreach (var p in parameters) uri.Parameters.Add(p.Name, p.Value);
        return uri;
    }

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Invalid URI '{text}'");

    public static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        var scheme = text[..colon];
        if (!IsValidScheme(scheme)) return false;
        var rest = text[(colon + 1)..];
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase))
            return TryParseSip("sip", rest, out uri);
        if (scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
            return TryParseSip("sips", rest, out uri);
        if (rest.IsEmpty) return false;
        foreach (var c in rest)
            if (c <= ' ' || c >= 127 || c is '<' or '>' or '"') return false;
        uri = new SipUri(scheme.ToString()) { Opaque = rest.ToString() };
        return true;
    }

    private static bool IsValidScheme(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !char.IsAsciiLetter(s[0])) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        return true;
    }

    private static readonly Func<char, bool> UserChar = SipChars.IsUserChar;
    private static readonly Func<char, bool> PasswordChar = SipChars.IsPasswordChar;
    private static readonly Func<char, bool> ParamChar = SipChars.IsParamChar;
    private static readonly Func<char, bool> HeaderChar = SipChars.IsHeaderChar;

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> s, out SipUri? uri)
    {
        uri = null;
        string? user = null, password = null;
        // '@' cannot appear unescaped in host, parameters or headers, so the first one ends the userinfo.
        var at = s.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = s[..at];
            var pw = userinfo.IndexOf(':');
            var userPart = pw >= 0 ? userinfo[..pw] : userinfo;
            if (userPart.IsEmpty || !SipChars.IsEscapedText(userPart, UserChar)) return false;
            user = userPart.ToString();
            if (pw >= 0)
            {
                var pwPart = userinfo[(pw + 1)..];
                if (!SipChars.IsEscapedText(pwPart, PasswordChar)) return false;
                password = pwPart.ToString();
            }
            s = s[(at + 1)..];
        }

        if (!TryParseHostPort(s, out var host, out var port, out var consumed)) return false;
        s = s[consumed..];

        var result = new SipUri(scheme) { IsSip = true, User = user, Password = password, Host = host, Port = port };
        while (!s.IsEmpty && s[0] == ';')
        {
            s = s[1..];
            var end = s.IndexOfAny(';', '?');
            var param = end < 0 ? s : s[..end];
            s = end < 0 ? default : s[end..];
            var eq = param.IndexOf('=');
            var name = eq < 0 ? param : param[..eq];
            if (name.IsEmpty || !SipChars.IsEscapedText(name, ParamChar)) return false;
            string? value = null;
            if (eq >= 0)
            {
                var v = param[(eq + 1)..];
                if (v.IsEmpty || !SipChars.IsEscapedText(v, ParamChar)) return false;
                value = v.ToString();
            }
            result.Parameters.Add(name.ToString(), value);
        }

        if (!s.IsEmpty)
        {
            if (s[0] != '?') return false;
            s = s[1..];
            while (true)
            {
                var end = s.IndexOf('&');
                var header = end < 0 ? s : s[..end];
                var eq = header.IndexOf('=');
                if (eq <= 0) return false;
                var name = header[..eq];
                var value = header[(eq + 1)..];
                if (!SipChars.IsEscapedText(name, HeaderChar) || !SipChars.IsEscapedText(value, HeaderChar)) return false;
                result.Headers.Add(name.ToString(), value.ToString());
                if (end < 0) break;
                s = s[(end + 1)..];
            }
        }

        uri = result;
        return true;
    }

    /// <summary>Parses host[:port] at the start of <paramref name="s"/>; hostnames, IPv4 and [IPv6] references.</summary>
    internal static bool TryParseHostPort(ReadOnlySpan<char> s, out string host, out int? port, out int consumed)
    {
        host = "";
        port = null;
        consumed = 0;
        int i;
        if (!s.IsEmpty && s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 3) return false;
            foreach (var c in s[1..close])
                if (!(SipChars.IsHex(c) || c is ':' or '.')) return false;
            if (s[1..close].IndexOf(':') < 0) return false;
            i = close + 1;
        }
        else
        {
            i = 0;
            while (i < s.Length && (SipChars.IsHostChar(s[i]) || s[i] == '_')) i++;
            if (i == 0) return false;
        }
        host = s[..i].ToString();
        if (i < s.Length && s[i] == ':')
        {
            var start = ++i;
            while (i < s.Length && SipChars.IsDigit(s[i])) i++;
            if (!SipChars.TryParseDecimal(s[start..i], 65535, out var p)) return false;
            port = (int)p;
        }
        consumed = i;
        return true;
    }

    public override string ToString()
    {
        if (!IsSip) return $"{Scheme}:{Opaque}";
        var sb = new StringBuilder(64);
        WriteTo(sb);
        return sb.ToString();
    }

    internal void WriteTo(StringBuilder sb)
    {
        sb.Append(Scheme).Append(':');
        if (!IsSip)
        {
            sb.Append(Opaque);
            return;
        }
        if (User is not null)
        {
            sb.Append(User);
            if (Password is not null) sb.Append(':').Append(Password);
            sb.Append('@');
        }
        sb.Append(Host);
        if (Port is { } port) sb.Append(':').Append(port);
        Parameters.WriteTo(sb);
        if (Headers.Count > 0)
        {
            var first = true;
            foreach (var h in Headers)
            {
                sb.Append(first ? '?' : '&').Append(h.Name).Append('=').Append(h.Value);
                first = false;
            }
        }
    }

    public SipUri Clone() => new(Scheme)
    {
        IsSip = IsSip,
        Opaque = Opaque,
        User = User,
        Password = Password,
        Host = Host,
        Port = Port,
        Parameters = Parameters.Clone(),
        Headers = Headers.Clone(),
    };

    /// <summary>A copy without URI headers (a Request-URI built from a Contact must not carry them).</summary>
    public SipUri WithoutHeaders()
    {
        return new SipUri(Scheme)
        {
            IsSip = IsSip, Opaque = Opaque, User = User, Password = Password, Host = Host, Port = Port,
            Parameters = Parameters.Clone(),
        };
    }

    private static readonly string[] ParametersThatMustMatch = ["user", "ttl", "method", "maddr", "transport"];

    /// <summary>URI equivalence per RFC 3261 §19.1.4.</summary>
    public bool Equals(SipUri? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (IsSip != other.IsSip) return false;
        if (!IsSip)
            return string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase)
                   && string.Equals(Opaque, other.Opaque, StringComparison.Ordinal);
        if (Scheme != other.Scheme) return false;
        if (!string.Equals(UserUnescaped, other.UserUnescaped, StringComparison.Ordinal)) return false;
        if (!string.Equals(PasswordUnescaped, other.PasswordUnescaped, StringComparison.Ordinal)) return false;
        if (!string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)) return false;
        if (Port != other.Port) return false;

        foreach (var name in ParametersThatMustMatch)
            if (HasParameter(name) != other.HasParameter(name)) return false;
        foreach (var p in Parameters)
        {
            var name = UriEscaping.Unescape(p.Name);
            if (!other.HasParameter(name)) continue;
            if (!string.Equals(p.Value is null ? "" : UriEscaping.Unescape(p.Value), other.GetParameter(name) ?? "",
                    StringComparison.OrdinalIgnoreCase)) return false;
        }

        // URI headers are never ignored: the same set on both sides, order irrelevant.
        if (Headers.Count != other.Headers.Count) return false;
        foreach (var h in Headers)
        {
            var found = false;
            foreach (var o in other.Headers)
            {
                if (UriEscaping.EqualsUnescaped(h.Name, UriEscaping.Unescape(o.Name))
                    && string.Equals(UriEscaping.Unescape(h.Value ?? ""), UriEscaping.Unescape(o.Value ?? ""), StringComparison.OrdinalIgnoreCase))
                {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is SipUri other && Equals(other);

    public override int GetHashCode() => IsSip
        ? HashCode.Combine(Scheme, UserUnescaped, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port)
        : HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Scheme), Opaque);

    public static bool operator ==(SipUri? a, SipUri? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(SipUri? a, SipUri? b) => !(a == b);
}

/// <summary>RFC 3261 %HH escaping: never applied recursively, decoded as UTF-8.</summary>
public static class UriEscaping
{
    public static string Unescape(string s)
    {
        var i = s.IndexOf('%');
        if (i < 0) return s;
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
        var n = 0;
        for (var k = 0; k < s.Length; k++)
        {
            var c = s[k];
            if (c == '%' && k + 2 < s.Length && SipChars.IsHex(s[k + 1]) && SipChars.IsHex(s[k + 2]))
            {
                bytes[n++] = (byte)((HexValue(s[k + 1]) << 4) | HexValue(s[k + 2]));
                k += 2;
            }
            else if (c < 128) bytes[n++] = (byte)c;
            else n += Encoding.UTF8.GetBytes(s.AsSpan(k, char.IsHighSurrogate(c) && k + 1 < s.Length ? 2 : 1), bytes.AsSpan(n));
            if (char.IsHighSurrogate(c) && k + 1 < s.Length) k++;
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Escapes every character for which <paramref name="allowed"/> is false (as UTF-8 octets).</summary>
    public static string Escape(string s, Func<char, bool> allowed)
    {
        var ok = true;
        foreach (var c in s)
            if (c == '%' || !allowed(c)) { ok = false; break; }
        if (ok) return s;
        var sb = new StringBuilder(s.Length + 8);
        Span<byte> buf = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '%' && allowed(c)) { sb.Append(c); continue; }
            var len = char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1;
            var n = Encoding.UTF8.GetBytes(s.AsSpan(i, len), buf);
            for (var k = 0; k < n; k++) sb.Append('%').Append(buf[k].ToString("X2"));
            i += len - 1;
        }
        return sb.ToString();
    }

    internal static bool EqualsUnescaped(string written, string plain) =>
        string.Equals(written.IndexOf('%') < 0 ? written : Unescape(written), plain, StringComparison.OrdinalIgnoreCase);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
