using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>The outcome of parsing one message: the message, or an error saying what to answer.</summary>
public readonly struct SipParseResult
{
    private SipParseResult(SipMessage? message, SipParseError? error)
    {
        Message = message;
        Error = error;
    }

    public SipMessage? Message { get; }
    public SipParseError? Error { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Message))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Message is not null;

    public SipRequest? Request => Message as SipRequest;
    public SipResponse? Response => Message as SipResponse;

    public static SipParseResult Success(SipMessage message) => new(message, null);
    public static SipParseResult Failure(SipParseError error) => new(null, error);

    public override string ToString() => IsSuccess ? $"OK {Message}" : $"Error {Error}";
}

/// <summary>
/// Why a message was rejected, the status code to answer it with, and whatever headers could be read so the
/// answer can be built (RFC 3261 §8.2.6.2). Responses that fail to parse are never answered, only dropped.
/// </summary>
public sealed class SipParseError
{
    internal SipParseError(int statusCode, string reason, bool isRequest, string? method, IReadOnlyList<SipHeader> headers, bool breaksFraming = false)
    {
        StatusCode = statusCode;
        Reason = reason;
        IsRequest = isRequest;
        Method = method;
        Headers = headers;
        BreaksFraming = breaksFraming;
    }

    /// <summary>400, 413, 416, 420, 501, 505, 513 ...</summary>
    public int StatusCode { get; }

    public string Reason { get; }

    /// <summary>True when the start line was (or looked like) a request line.</summary>
    public bool IsRequest { get; }

    public string? Method { get; }

    /// <summary>Headers read before and after the error; a malformed known header appears as a <see cref="RawHeader"/>.</summary>
    public IReadOnlyList<SipHeader> Headers { get; }

    /// <summary>Headers to add to the answer, e.g. Unsupported for 420.</summary>
    public IReadOnlyList<SipHeader> ResponseHeaders { get; init; } = [];

    /// <summary>On a stream transport: the framing is lost and the connection must be closed.</summary>
    public bool BreaksFraming { get; }

    /// <summary>A response can be sent: a request other than ACK with a Via to route the answer.</summary>
    public bool CanRespond => IsRequest && Method != SipMethod.Ack && Headers.Any(h => h.Kind == HeaderKind.Via);

    /// <summary>The answer to send (only meaningful when <see cref="CanRespond"/>).</summary>
    public SipResponse CreateResponse(string? toTag = null)
    {
        var response = SipResponse.CreateFor(Headers, StatusCode, Reason, toTag);
        foreach (var h in ResponseHeaders) response.Headers.Add(h);
        return response;
    }

    public override string ToString() => $"{StatusCode} {Reason}";
}

/// <summary>Limits and the checks that need configuration (URI schemes, extensions).</summary>
public sealed record SipParserOptions
{
    public static SipParserOptions Default { get; } = new();

    /// <summary>Larger header sections are answered with 513 Message Too Large.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Larger bodies are answered with 413 Request Entity Too Large.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Request-URI schemes this element serves; others get 416. Null accepts any scheme.</summary>
    public IReadOnlySet<string>? SupportedUriSchemes { get; init; } =
        new HashSet<string>(["sip", "sips", "tel"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Option tags a UAS supports; a Require naming others gets 420. Null skips the check (proxies).</summary>
    public IReadOnlySet<string>? SupportedExtensions { get; init; }

    /// <summary>Option tags a proxy supports; a Proxy-Require naming others gets 420. Null skips the check.</summary>
    public IReadOnlySet<string>? ProxySupportedExtensions { get; init; }
}
