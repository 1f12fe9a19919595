using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>
/// Parses SIP messages from bytes. Never throws for any input: every problem becomes a
/// <see cref="SipParseError"/> carrying the status code to answer with.
/// </summary>
public static class SipParser
{
    private const int MaxHeaderLines = 512;
    private static int _internalFailures;

    /// <summary>How many times the parser hit a bug and fell back to a generic 400 (tests assert it stays zero).</summary>
    internal static int InternalFailures => Volatile.Read(ref _internalFailures);

    /// <summary>Parses a datagram (UDP): the body is Content-Length octets, or the rest of the datagram if absent (RFC 3261 §18.3).</summary>
    public static SipParseResult ParseDatagram(ReadOnlySpan<byte> datagram, SipParserOptions? options = null)
    {
        try
        {
            return Parse(datagram, options ?? SipParserOptions.Default, stream: false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Defence in depth: the parser is written not to throw, but a bug must not take the transport down.
            Interlocked.Increment(ref _internalFailures);
            return SipParseResult.Failure(new SipParseError(400, "Unparseable message", false, null, []));
        }
    }

    public static SipParseResult ParseDatagram(string text, SipParserOptions? options = null) =>
        ParseDatagram(Encoding.UTF8.GetBytes(text), options);

    /// <summary>Parses one frame cut by <see cref="SipStreamFramer"/> (exactly headers plus Content-Length octets).</summary>
    internal static SipParseResult ParseFrame(ReadOnlySpan<byte> frame, SipParserOptions options)
    {
        try
        {
            return Parse(frame, options, stream: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _internalFailures);
            return SipParseResult.Failure(new SipParseError(400, "Unparseable message", false, null, []));
        }
    }

    /// <summary>Finds the blank line ending the header section; returns the offset just past it, or -1.</summary>
    internal static int FindHeaderEnd(ReadOnlySpan<byte> data, int from, out int headerLength)
    {
        headerLength = 0;
        var i = from;
        while (i < data.Length)
        {
            var nl = data[i..].IndexOf((byte)'\n');
            if (nl < 0) return -1;
            var next = i + nl + 1;
            if (next < data.Length && data[next] == (byte)'\n')
            {
                headerLength = next - from;
                return next + 1;
            }
            if (next + 1 < data.Length && data[next] == (byte)'\r' && data[next + 1] == (byte)'\n')
            {
                headerLength = next - from;
                return next + 2;
            }
            i = next;
        }
        return -1;
    }

    private static SipParseResult Parse(ReadOnlySpan<byte> data, SipParserOptions options, bool stream)
    {
        var start = 0;
        while (start < data.Length && data[start] is (byte)'\r' or (byte)'\n') start++;
        if (start == data.Length)
            return SipParseResult.Failure(new SipParseError(400, "Empty message", false, null, []));

        var bodyStart = FindHeaderEnd(data, start, out var headerLength);
        if (bodyStart < 0)
        {
            // Lenient: a datagram that ends without the blank line has an empty body.
            headerLength = data.Length - start;
            bodyStart = data.Length;
        }
        if (headerLength > options.MaxHeaderBytes)
            return SipParseResult.Failure(new SipParseError(513, "Message Too Large", LooksLikeRequest(data[start..]), null, [], breaksFraming: true));

        var text = Encoding.UTF8.GetString(data.Slice(start, headerLength));
        var builder = new MessageBuilder(options);
        builder.ReadHeaderSection(text);
        return builder.Finish(data[bodyStart..], stream);
    }

    private static bool LooksLikeRequest(ReadOnlySpan<byte> data) =>
        !(data.Length >= 4 && (data[0] | 0x20) == 's' && (data[1] | 0x20) == 'i' && (data[2] | 0x20) == 'p' && data[3] == '/');

    /// <summary>State of one parse: start line, headers, and the first error seen (parsing goes on to collect headers).</summary>
    private sealed class MessageBuilder(SipParserOptions options)
    {
        private readonly List<SipHeader> _headers = new(16);
        private string? _error;
        private int _errorCode;
        private bool _isRequest = true;
        private string? _method;
        private SipUri? _requestUri;
        private int _statusCode;
        private string _reason = "";
        private int _seen; // bit set of single-instance headers already read

        private void Fail(int code, string reason)
        {
            if (_error is not null) return;
            _error = reason;
            _errorCode = code;
        }

        public void ReadHeaderSection(string text)
        {
            var span = text.AsSpan();
            var lineEnd = span.IndexOf('\n');
            var startLine = lineEnd < 0 ? span : span[..lineEnd];
            ReadStartLine(TrimCr(startLine));
            if (lineEnd < 0) return;

            var pos = lineEnd + 1;
            var currentStart = -1; // start of the current header's first line
            var currentEnd = -1;
            StringBuilder? folded = null;
            var lines = 0;
            while (pos < span.Length)
            {
                var nl = span[pos..].IndexOf('\n');
                var end = nl < 0 ? span.Length : pos + nl;
                var line = TrimCr(span[pos..end]);
                if (++lines > MaxHeaderLines)
                {
                    Fail(513, "Too many header lines");
                    return;
                }
                if (!line.IsEmpty && SipChars.IsWhitespace(line[0]))
                {
                    if (currentStart < 0)
                        Fail(400, "Continuation line without a header");
                    else
                    {
                        folded ??= new StringBuilder().Append(TrimCr(span[currentStart..currentEnd]));
                        folded.Append(' ').Append(SipChars.TrimWs(line));
                    }
                }
                else
                {
                    if (currentStart >= 0) EmitHeader(folded is null ? TrimCr(span[currentStart..currentEnd]) : folded.ToString());
                    folded = null;
                    currentStart = line.IsEmpty ? -1 : pos;
                    currentEnd = end;
                }
                pos = end + 1;
            }
            if (currentStart >= 0) EmitHeader(folded is null ? TrimCr(span[currentStart..currentEnd]) : folded.ToString());
        }

        private static ReadOnlySpan<char> TrimCr(ReadOnlySpan<char> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

        private void ReadStartLine(ReadOnlySpan<char> line)
        {
            if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
            {
                _isRequest = false;
                var sp = line.IndexOf(' ');
                if (sp < 0) { Fail(400, "Malformed Status-Line"); return; }
                if (!IsVersion20(line[..sp], out var wellFormed))
                {
                    Fail(wellFormed ? 505 : 400, wellFormed ? "Version Not Supported" : "Malformed SIP-Version");
                    return;
                }
                var rest = line[(sp + 1)..];
                var sp2 = rest.IndexOf(' ');
                var code = sp2 < 0 ? rest : rest[..sp2];
                if (code.Length != 3 || !SipChars.TryParseDecimal(code, 999, out var status) || status < 100 || status > 699)
                {
                    Fail(400, "Invalid Status-Code");
                    return;
                }
                _statusCode = (int)status;
                _reason = sp2 < 0 ? "" : rest[(sp2 + 1)..].ToString();
                return;
            }

            var first = line.IndexOf(' ');
            var methodText = first < 0 ? line : line[..first];
            if (SipChars.IsToken(methodText)) _method = SipMethod.Intern(methodText);
            if (_method is null) { Fail(400, "Malformed Request-Line"); return; }
            var rest2 = line[(first + 1)..];
            var second = rest2.IndexOf(' ');
            if (second <= 0) { Fail(400, "Malformed Request-Line"); return; }
            var uriText = rest2[..second];
            var versionText = rest2[(second + 1)..];
            // Exactly one SP between the three elements and none at the end (RFC 4475 §3.1.2.8-10).
            if (versionText.IsEmpty || versionText.IndexOfAny(' ', '\t') >= 0) { Fail(400, "Malformed Request-Line"); return; }
            if (!IsVersion20(versionText, out var ok))
            {
                Fail(ok ? 505 : 400, ok ? "Version Not Supported" : "Malformed SIP-Version");
                return;
            }
            if (!SipUri.TryParse(uriText, out var uri)) { Fail(400, "Malformed Request-URI"); return; }
            _requestUri = uri;
        }

        /// <summary>True for SIP/2.0 (case-insensitive); <paramref name="wellFormed"/> says whether it is SIP/n.n at all.</summary>
        private static bool IsVersion20(ReadOnlySpan<char> v, out bool wellFormed)
        {
            wellFormed = false;
            if (v.Length < 7 || !v.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)) return false;
            var rest = v[4..];
            var dot = rest.IndexOf('.');
            if (dot <= 0 || dot == rest.Length - 1) return false;
            foreach (var c in rest[..dot]) if (!SipChars.IsDigit(c)) return false;
            foreach (var c in rest[(dot + 1)..]) if (!SipChars.IsDigit(c)) return false;
            wellFormed = true;
            return rest.SequenceEqual("2.0");
        }

        private void EmitHeader(ReadOnlySpan<char> line)
        {
            var colon = line.IndexOf(':');
            if (colon < 0) { Fail(400, "Malformed header line"); return; }
            var name = SipChars.TrimWs(line[..colon]);
            if (!SipChars.IsToken(name)) { Fail(400, "Malformed header name"); return; }
            var value = SipChars.TrimWs(line[(colon + 1)..]);

            if (!HeaderNames.TryLookup(name, out var canonical, out var kind))
            {
                _headers.Add(new RawHeader(name.ToString(), value.ToString()));
                return;
            }
            if (kind == HeaderKind.Other)
            {
                _headers.Add(new RawHeader(canonical, value.ToString()));
                return;
            }

            var bit = SingleInstanceBit(kind);
            if (bit != 0)
            {
                if ((_seen & bit) != 0) Fail(400, $"Multiple {canonical} headers");
                _seen |= bit;
            }

            var error = HeaderParser.Parse(kind, canonical, value, _headers);
            if (error is not null)
            {
                Fail(400, error);
                _headers.Add(new RawHeader(canonical, value.ToString()));
            }
        }

        private static int SingleInstanceBit(HeaderKind kind) => kind switch
        {
            HeaderKind.From => 1,
            HeaderKind.To => 2,
            HeaderKind.CallId => 4,
            HeaderKind.CSeq => 8,
            HeaderKind.MaxForwards => 16,
            HeaderKind.ContentLength => 32,
            HeaderKind.ContentType => 64,
            HeaderKind.Expires => 128,
            _ => 0,
        };

        private SipParseResult Error(int code, string reason, bool breaksFraming = false) =>
            SipParseResult.Failure(new SipParseError(code, reason, _isRequest, _method, _headers, breaksFraming));

        public SipParseResult Finish(ReadOnlySpan<byte> rest, bool stream)
        {
            if (_error is not null) return Error(_errorCode, _error);

            string? missing = null;
            var present = 0;
            foreach (var h in _headers) present |= 1 << (int)h.Kind;
            foreach (var (kind, name) in Required)
                if ((present & (1 << (int)kind)) == 0)
                    missing = missing is null ? name : $"{missing}, {name}";
            if (missing is not null) return Error(400, $"Missing {missing}");

            var cseq = FirstOf<CSeqHeader>()!;
            if (_isRequest && !string.Equals(cseq.Method, _method, StringComparison.Ordinal))
                return SipMethod.IsKnown(_method!) ? Error(400, "CSeq method does not match the request method")
                    : Error(501, "Not Implemented");

            var contentLength = FirstOf<ContentLengthHeader>()?.Length;
            if (contentLength > options.MaxBodyBytes) return Error(413, "Request Entity Too Large", breaksFraming: true);
            int bodyLength;
            if (contentLength is { } cl)
            {
                if (cl > rest.Length) return Error(400, "Content-Length larger than the message body");
                bodyLength = cl;
            }
            else
            {
                if (stream) return Error(400, "Missing Content-Length", breaksFraming: true);
                if (rest.Length > options.MaxBodyBytes) return Error(413, "Request Entity Too Large");
                bodyLength = rest.Length;
            }

            SipMessage message;
            if (_isRequest)
            {
                var uri = _requestUri!;
                if (uri.IsSip && uri.Headers.Count > 0) return Error(400, "Request-URI must not contain headers");
                if (options.SupportedUriSchemes is { } schemes && !schemes.Contains(uri.Scheme))
                    return Error(416, "Unsupported URI Scheme");
                if (_method is not SipMethod.Ack and not SipMethod.Cancel)
                {
                    var unsupported = Unsupported(HeaderNames.Require, options.SupportedExtensions)
                                      ?? Unsupported(HeaderNames.ProxyRequire, options.ProxySupportedExtensions);
                    if (unsupported is not null)
                        return SipParseResult.Failure(new SipParseError(420, "Bad Extension", true, _method, _headers)
                        {
                            ResponseHeaders = [new RawHeader(HeaderNames.Unsupported, string.Join(", ", unsupported))],
                        });
                }
                message = new SipRequest(_method!, uri);
            }
            else
            {
                message = new SipResponse(_statusCode, _reason);
            }

            message.AdoptHeaders(_headers);
            if (bodyLength > 0) message.Body = rest[..bodyLength].ToArray();
            return SipParseResult.Success(message);
        }

        private static readonly (HeaderKind, string)[] Required =
        [
            (HeaderKind.Via, HeaderNames.Via), (HeaderKind.From, HeaderNames.From), (HeaderKind.To, HeaderNames.To),
            (HeaderKind.CallId, HeaderNames.CallId), (HeaderKind.CSeq, HeaderNames.CSeq),
        ];

        private T? FirstOf<T>() where T : SipHeader
        {
            foreach (var h in _headers)
                if (h is T t) return t;
            return null;
        }

        private List<string>? Unsupported(string headerName, IReadOnlySet<string>? supported)
        {
            if (supported is null) return null;
            List<string>? result = null;
            foreach (var h in _headers)
            {
                if (h.Name != headerName) continue;
                foreach (var tag in HeaderSplitter.SplitCommas(h.Value))
                    if (tag.Length > 0 && !supported.Contains(tag)) (result ??= []).Add(tag);
            }
            return result;
        }
    }
}
