using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>What <see cref="SipStreamFramer.TryRead"/> produced.</summary>
public enum SipFrameStatus
{
    /// <summary>No complete message buffered yet.</summary>
    NeedMoreData,
    /// <summary>A complete message, parsed (successfully or not: see the result).</summary>
    Frame,
    /// <summary>The stream cannot be framed any more (bad or missing Content-Length, oversize): close the connection.</summary>
    Broken,
}

/// <summary>
/// Cuts a byte stream (TCP/TLS) into SIP messages using Content-Length (RFC 3261 §18.3). CRLF keep-alives between
/// messages (RFC 5626 §4.4.1) are skipped and counted. Not thread-safe: one per connection.
/// </summary>
public sealed class SipStreamFramer(SipParserOptions? options = null)
{
    private readonly SipParserOptions _options = options ?? SipParserOptions.Default;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private SipParseError? _broken;

    public int BufferedBytes => _end - _start;

    /// <summary>Double-CRLF keep-alive pings seen (the transport answers each with a single CRLF pong).</summary>
    public int KeepAlivePings { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_broken is not null || data.IsEmpty) return;
        if (_buffer.Length - _end < data.Length)
        {
            var live = _end - _start;
            if (_start > 0 && _buffer.Length - live >= data.Length)
            {
                _buffer.AsSpan(_start, live).CopyTo(_buffer);
            }
            else
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + data.Length)];
                _buffer.AsSpan(_start, live).CopyTo(bigger);
                _buffer = bigger;
            }
            _start = 0;
            _end = live;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Takes the next message off the stream, if a complete one is buffered. Never throws.</summary>
    public SipFrameStatus TryRead(out SipParseResult result)
    {
        result = default;
        if (_broken is not null)
        {
            result = SipParseResult.Failure(_broken);
            return SipFrameStatus.Broken;
        }

        var crlfs = 0;
        while (_start < _end && _buffer[_start] is (byte)'\r' or (byte)'\n')
        {
            if (_buffer[_start] == (byte)'\n') crlfs++;
            _start++;
        }
        KeepAlivePings += crlfs / 2;
        if (_start == _end)
        {
            _start = _end = 0;
            return SipFrameStatus.NeedMoreData;
        }

        var data = _buffer.AsSpan(_start, _end - _start);
        var bodyStart = SipParser.FindHeaderEnd(data, 0, out var headerLength);
        if (bodyStart < 0)
        {
            if (data.Length > _options.MaxHeaderBytes) return Break(out result, 513, "Message Too Large");
            return SipFrameStatus.NeedMoreData;
        }
        if (headerLength > _options.MaxHeaderBytes) return Break(out result, 513, "Message Too Large");

        var contentLength = ReadContentLength(data[..headerLength], out var problem);
        if (problem is not null) return Break(out result, 400, problem);
        if (contentLength > _options.MaxBodyBytes) return Break(out result, 413, "Request Entity Too Large");
        if (data.Length - bodyStart < contentLength) return SipFrameStatus.NeedMoreData;

        var frameLength = bodyStart + contentLength;
        result = SipParser.ParseFrame(data[..frameLength], _options);
        _start += frameLength;
        if (_start == _end) _start = _end = 0;
        return SipFrameStatus.Frame;
    }

    private SipFrameStatus Break(out SipParseResult result, int code, string reason)
    {
        var request = _end - _start < 4 || !"SIP/"u8.SequenceEqual(_buffer.AsSpan(_start, 4));
        _broken = new SipParseError(code, reason, request, null, [], breaksFraming: true);
        result = SipParseResult.Failure(_broken);
        _start = _end = 0;
        return SipFrameStatus.Broken;
    }

    /// <summary>Scans header lines for Content-Length (or l); it must be present exactly once and be a decimal.</summary>
    private static int ReadContentLength(ReadOnlySpan<byte> headers, out string? problem)
    {
        problem = null;
        int? found = null;
        Span<char> name = stackalloc char[32];
        while (!headers.IsEmpty)
        {
            var nl = headers.IndexOf((byte)'\n');
            var line = nl < 0 ? headers : headers[..nl];
            headers = nl < 0 ? default : headers[(nl + 1)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t') continue;
            var rawName = line[..colon];
            while (rawName.Length > 0 && rawName[^1] is (byte)' ' or (byte)'\t') rawName = rawName[..^1];
            if (rawName.Length is 0 or > 32) continue;
            for (var i = 0; i < rawName.Length; i++) name[i] = (char)rawName[i];
            if (HeaderNames.KindOf(name[..rawName.Length]) != HeaderKind.ContentLength) continue;

            var value = line[(colon + 1)..];
            while (value.Length > 0 && value[0] is (byte)' ' or (byte)'\t') value = value[1..];
            while (value.Length > 0 && value[^1] is (byte)' ' or (byte)'\t' or (byte)'\r') value = value[..^1];
            if (value.IsEmpty || value.Length > 10) { problem = "Malformed Content-Length header"; return 0; }
            long n = 0;
            foreach (var b in value)
            {
                if (b is < (byte)'0' or > (byte)'9') { problem = "Malformed Content-Length header"; return 0; }
                n = n * 10 + (b - '0');
            }
            if (n > int.MaxValue) { problem = "Malformed Content-Length header"; return 0; }
            if (found is { } previous && previous != n) { problem = "Multiple Content-Length headers"; return 0; }
            found = (int)n;
        }
        if (found is null) problem = "Missing Content-Length";
        return found ?? 0;
    }
}
