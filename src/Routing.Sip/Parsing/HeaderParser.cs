using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>Parsers for the typed headers. Each returns null on success or a short reason on failure.</summary>
internal static class HeaderParser
{
    private static readonly List<Range> WholeValue = [Range.All]; // shared, never mutated

    /// <summary>Parses one header line's value into typed headers appended to <paramref name="output"/>.</summary>
    public static string? Parse(HeaderKind kind, string name, ReadOnlySpan<char> value, List<SipHeader> output)
    {
        switch (kind)
        {
            case HeaderKind.Via:
            case HeaderKind.Contact:
            case HeaderKind.Route:
            case HeaderKind.RecordRoute:
            {
                var ranges = value.IndexOf(',') < 0 ? WholeValue : HeaderSplitter.SplitCommaRanges(value);
                var first = output.Count;
                foreach (var range in ranges)
                {
                    var part = SipChars.TrimWs(value[range]);
                    if (part.IsEmpty) return Fail(output, first, $"Empty value in {name} header");
                    SipHeader? header = kind switch
                    {
                        HeaderKind.Via => ParseVia(part),
                        HeaderKind.Contact => ParseAddress(part, static (u, d) => new ContactHeader(u, d), allowStar: ranges.Count == 1),
                        HeaderKind.Route => ParseAddress(part, static (u, d) => new RouteHeader(u, d), false),
                        _ => ParseAddress(part, static (u, d) => new RecordRouteHeader(u, d), false),
                    };
                    if (header is null || (header is ContactHeader c && !ValidContactParameters(c)))
                        return Fail(output, first, $"Malformed {name} header");
                    output.Add(header);
                }
                return null;
            }
            case HeaderKind.From:
            {
                var h = ParseAddress(value, static (u, d) => new FromHeader(u, d), false);
                return Add(output, h, "Malformed From header");
            }
            case HeaderKind.To:
            {
                var h = ParseAddress(value, static (u, d) => new ToHeader(u, d), false);
                return Add(output, h, "Malformed To header");
            }
            case HeaderKind.CallId:
                return Add(output, ParseCallId(value), "Malformed Call-ID header");
            case HeaderKind.CSeq:
                return Add(output, ParseCSeq(value), "Malformed CSeq header");
            case HeaderKind.MaxForwards:
                return Add(output,
                    SipChars.TryParseDecimal(value, 255, out var hops) ? new MaxForwardsHeader((int)hops) : null,
                    "Malformed Max-Forwards header");
            case HeaderKind.ContentLength:
                return Add(output,
                    SipChars.TryParseDecimal(value, int.MaxValue, out var length) ? new ContentLengthHeader((int)length) : null,
                    "Malformed Content-Length header");
            case HeaderKind.Expires:
                return Add(output,
                    SipChars.TryParseSaturating(value, uint.MaxValue, out var seconds) ? new ExpiresHeader((uint)seconds) : null,
                    "Malformed Expires header");
            case HeaderKind.ContentType:
                return Add(output, ParseContentType(value), "Malformed Content-Type header");
            case HeaderKind.WwwAuthenticate:
            case HeaderKind.Authorization:
            case HeaderKind.ProxyAuthenticate:
            case HeaderKind.ProxyAuthorization:
                return Add(output, ParseAuth(name, value), $"Malformed {name} header");
            default:
                output.Add(new RawHeader(name, value.ToString()));
                return null;
        }
    }

    private static string? Add(List<SipHeader> output, SipHeader? header, string error)
    {
        if (header is null) return error;
        output.Add(header);
        return null;
    }

    private static string Fail(List<SipHeader> output, int first, string error)
    {
        output.RemoveRange(first, output.Count - first);
        return error;
    }

    public static ViaHeader? ParseVia(ReadOnlySpan<char> value)
    {
        var s = new Scanner(value);
        s.SkipWs();
        var protocol = s.ReadToken();
        s.SkipWs();
        if (protocol.IsEmpty || !s.Eat('/')) return null;
        s.SkipWs();
        var version = s.ReadToken();
        s.SkipWs();
        if (version.IsEmpty || !s.Eat('/')) return null;
        s.SkipWs();
        var transport = s.ReadToken();
        if (transport.IsEmpty || !s.SkipWs()) return null;

        var rest = s.Rest;
        int hostLength;
        if (!rest.IsEmpty && rest[0] == '[')
        {
            hostLength = rest.IndexOf(']') + 1;
            if (hostLength <= 0) return null;
        }
        else
        {
            hostLength = 0;
            while (hostLength < rest.Length && (SipChars.IsHostChar(rest[hostLength]) || rest[hostLength] == '_')) hostLength++;
        }
        if (hostLength == 0 || !SipUri.TryParseHostPort(rest[..hostLength], out var host, out _, out var consumed) || consumed != hostLength)
            return null;
        s.Position += hostLength;
        s.SkipWs();
        int? port = null;
        if (s.Eat(':'))
        {
            s.SkipWs();
            if (!SipChars.TryParseDecimal(s.ReadDigits(), 65535, out var p)) return null;
            port = (int)p;
        }

        var via = new ViaHeader(transport.ToString(), host, port)
        {
            ProtocolName = protocol.ToString(),
            ProtocolVersion = version.ToString(),
        };
        if (!s.TryReadParameters(via.Parameters)) return null;

        if (via.Parameters.TryGet("ttl", out var ttl) && !SipChars.TryParseDecimal(ttl, 255, out _)) return null;
        if (via.Parameters.TryGet("rport", out var rport) && rport is not null && !SipChars.TryParseDecimal(rport, 65535, out _)) return null;
        if (via.Parameters.TryGet("branch", out var branch) && string.IsNullOrEmpty(branch)) return null;
        if (via.Parameters.TryGet("received", out var received) && string.IsNullOrEmpty(received)) return null;
        if (via.Parameters.TryGet("maddr", out var maddr) && string.IsNullOrEmpty(maddr)) return null;
        return via;
    }

    /// <summary>name-addr or addr-spec followed by header parameters (RFC 3261 §20.10 rules for which form applies).</summary>
    public static T? ParseAddress<T>(ReadOnlySpan<char> value, Func<SipUri, string?, T> create, bool allowStar) where T : AddressHeader
    {
        var s = new Scanner(value);
        s.SkipWs();
        if (allowStar && SipChars.TrimWs(s.Rest) is ['*'])
            return typeof(T) == typeof(ContactHeader) ? (T)(AddressHeader)ContactHeader.Star() : null;

        string? displayName = null;
        SipUri? uri;
        if (s.Peek == '"')
        {
            if (!s.TryReadQuoted(out var quoted)) return null;
            displayName = SipParameters.Unquote(quoted.ToString());
            s.SkipWs();
            if (s.Peek != '<') return null;
        }
        else if (s.Peek != '<')
        {
            // Either a display name made of tokens, or an addr-spec. Look past the token/LWS run for '<'.
            var rest = s.Rest;
            var i = 0;
            while (i < rest.Length && (SipChars.IsToken(rest[i]) || SipChars.IsWhitespace(rest[i]))) i++;
            if (i < rest.Length && rest[i] == '<')
            {
                var name = SipChars.TrimWs(rest[..i]);
                displayName = name.IsEmpty ? null : name.ToString();
                s.Position += i;
            }
            else
            {
                // addr-spec: the URI ends at the first ';' and may not contain ',', '?' or whitespace.
                var end = rest.IndexOf(';');
                var uriText = SipChars.TrimWs(end < 0 ? rest : rest[..end]);
                if (uriText.IsEmpty || uriText.IndexOfAny(" \t?,") >= 0) return null;
                if (!SipUri.TryParse(uriText, out uri)) return null;
                s.Position += end < 0 ? rest.Length : end;
                var header = create(uri, null);
                return s.TryReadParameters(header.Parameters) ? header : null;
            }
        }

        if (!s.Eat('<')) return null;
        var inner = s.Rest;
        var close = inner.IndexOf('>');
        if (close <= 0) return null;
        var text = inner[..close];
        if (SipChars.IsWhitespace(text[0]) || SipChars.IsWhitespace(text[^1])) return null;
        if (!SipUri.TryParse(text, out uri)) return null;
        s.Position += close + 1;
        var result = create(uri, displayName);
        return s.TryReadParameters(result.Parameters) ? result : null;
    }

    private static bool ValidContactParameters(ContactHeader contact) =>
        (!contact.Parameters.TryGet("q", out var q) || (q is not null && ContactQ.TryParse(q, out _)))
        && (!contact.Parameters.TryGet("expires", out var expires) || (expires is not null && contact.Expires is not null));

    private static CallIdHeader? ParseCallId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return null;
        var at = -1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '@' && at < 0 && i > 0) at = i;
            else if (!SipChars.IsWordChar(c)) return null;
        }
        if (at == value.Length - 1) return null;
        return new CallIdHeader(value.ToString());
    }

    private static CSeqHeader? ParseCSeq(ReadOnlySpan<char> value)
    {
        var s = new Scanner(value);
        if (!SipChars.TryParseDecimal(s.ReadDigits(), uint.MaxValue, out var seq)) return null;
        if (!s.SkipWs()) return null;
        var method = s.ReadToken();
        s.SkipWs();
        if (method.IsEmpty || !s.End) return null;
        return new CSeqHeader((uint)seq, SipMethod.Intern(method));
    }

    private static ContentTypeHeader? ParseContentType(ReadOnlySpan<char> value)
    {
        var s = new Scanner(value);
        var type = s.ReadToken();
        s.SkipWs();
        if (type.IsEmpty || !s.Eat('/')) return null;
        s.SkipWs();
        var sub = s.ReadToken();
        if (sub.IsEmpty) return null;
        var header = new ContentTypeHeader(type.ToString(), sub.ToString());
        return s.TryReadParameters(header.Parameters) ? header : null;
    }

    /// <summary>scheme [ auth-param *(COMMA auth-param) ]; params that do not parse are left empty (the raw text stays).</summary>
    private static AuthHeader? ParseAuth(string name, ReadOnlySpan<char> value)
    {
        var s = new Scanner(value);
        var scheme = s.ReadToken();
        if (scheme.IsEmpty) return null;
        var raw = value.ToString();
        if (s.End) return new AuthHeader(name, raw, scheme.ToString(), []);
        if (!s.SkipWs()) return null;
        var parameters = new List<SipParameter>();
        while (true)
        {
            s.SkipWs();
            var key = s.ReadToken();
            s.SkipWs();
            if (key.IsEmpty || !s.Eat('='))
            {
                parameters.Clear();
                break;
            }
            s.SkipWs();
            ReadOnlySpan<char> v;
            if (s.Peek == '"')
            {
                if (!s.TryReadQuoted(out v)) { parameters.Clear(); break; }
            }
            else
            {
                v = s.ReadGenValue();
                if (v.IsEmpty) { parameters.Clear(); break; }
            }
            parameters.Add(new SipParameter(key.ToString(), v.ToString()));
            s.SkipWs();
            if (s.End) break;
            if (!s.Eat(',')) { parameters.Clear(); break; }
        }
        return new AuthHeader(name, raw, scheme.ToString(), parameters);
    }
}
