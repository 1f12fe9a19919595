using System.Security.Cryptography;

namespace Routing.Sip.Message;

/// <summary>SIP method names (case-sensitive, RFC 3261 §7.1); any other token is an extension method.</summary>
public static class SipMethod
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Prack = "PRACK";
    public const string Subscribe = "SUBSCRIBE";
    public const string Notify = "NOTIFY";
    public const string Publish = "PUBLISH";
    public const string Info = "INFO";
    public const string Refer = "REFER";
    public const string Message = "MESSAGE";
    public const string Update = "UPDATE";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
        { Invite, Ack, Bye, Cancel, Options, Register, Prack, Subscribe, Notify, Publish, Info, Refer, Message, Update };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsKnown(string method) => Known.Contains(method);

    /// <summary>Returns the shared constant for a known method (no allocation), a new string otherwise.</summary>
    internal static string Intern(ReadOnlySpan<char> method) =>
        KnownBySpan.TryGetValue(method, out var known) ? known : method.ToString();
}

/// <summary>A SIP request or response: ordered headers (typed where the stack needs them) and a body.</summary>
public abstract class SipMessage
{
    public const string Version20 = "SIP/2.0";

    /// <summary>All headers in wire order; multi-valued Via/Contact/Route/Record-Route lines are split into one entry per value.</summary>
    public List<SipHeader> Headers { get; private set; } = new(16);

    /// <summary>Takes over the parser's list instead of copying it.</summary>
    internal void AdoptHeaders(List<SipHeader> headers) => Headers = headers;

    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;

    public string Version { get; set; } = Version20;

    public abstract bool IsRequest { get; }

    public IEnumerable<ViaHeader> Vias => Headers.OfType<ViaHeader>();
    public ViaHeader? TopVia => First<ViaHeader>();
    public FromHeader? From => First<FromHeader>();
    public ToHeader? To => First<ToHeader>();
    public string? CallId => First<CallIdHeader>()?.CallId;
    public CSeqHeader? CSeq => First<CSeqHeader>();
    public IReadOnlyList<ContactHeader> Contacts => Headers.OfType<ContactHeader>().ToList();
    public IReadOnlyList<RouteHeader> Routes => Headers.OfType<RouteHeader>().ToList();
    public IReadOnlyList<RecordRouteHeader> RecordRoutes => Headers.OfType<RecordRouteHeader>().ToList();
    public int? MaxForwards => First<MaxForwardsHeader>()?.Hops;
    public ContentTypeHeader? ContentType => First<ContentTypeHeader>();
    /// <summary>The Content-Length header as received (null when absent); the body length is <see cref="Body"/>.Length.</summary>
    public int? ContentLength => First<ContentLengthHeader>()?.Length;
    public uint? Expires => First<ExpiresHeader>()?.Seconds;

    public IEnumerable<AuthHeader> AuthHeaders(HeaderKind kind) => Headers.OfType<AuthHeader>().Where(h => h.Kind == kind);

    public T? First<T>() where T : SipHeader
    {
        foreach (var h in Headers)
            if (h is T t) return t;
        return null;
    }

    /// <summary>Headers of that name (case-insensitive, compact forms accepted), typed or raw.</summary>
    public IEnumerable<SipHeader> GetHeaders(string name)
    {
        var canonical = HeaderNames.Canonical(name) ?? name;
        foreach (var h in Headers)
            if (string.Equals(h.Name, canonical, StringComparison.OrdinalIgnoreCase)) yield return h;
    }

    /// <summary>The first value of a header as text, or null.</summary>
    public string? GetHeaderValue(string name) => GetHeaders(name).FirstOrDefault()?.Value;

    /// <summary>All comma-separated values of a list header across all its lines (quotes and angle brackets respected).</summary>
    public IReadOnlyList<string> GetHeaderValues(string name)
    {
        var result = new List<string>();
        foreach (var h in GetHeaders(name))
            foreach (var part in HeaderSplitter.SplitCommas(h.Value))
                result.Add(part);
        return result;
    }

    public void AddHeader(SipHeader header) => Headers.Add(header);

    public void AddHeader(string name, string value) => Headers.Add(new RawHeader(name, value));

    /// <summary>Removes every header of that name; returns how many were removed.</summary>
    public int RemoveHeaders(string name)
    {
        var canonical = HeaderNames.Canonical(name) ?? name;
        return Headers.RemoveAll(h => string.Equals(h.Name, canonical, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Replaces the first header of the same kind (same name for raw headers), or appends.</summary>
    public void SetHeader(SipHeader header)
    {
        var i = Headers.FindIndex(h => h.GetType() == header.GetType()
                                       && string.Equals(h.Name, header.Name, StringComparison.OrdinalIgnoreCase));
        if (i >= 0) Headers[i] = header;
        else Headers.Add(header);
    }

    /// <summary>The canonical wire form, with Content-Length set from the body.</summary>
    public byte[] ToBytes() => Parsing.SipSerializer.Serialize(this);

    public override string ToString() => Parsing.SipSerializer.SerializeToString(this);
}

/// <summary>A SIP request (RFC 3261 §7.1).</summary>
public sealed class SipRequest(string method, SipUri requestUri) : SipMessage
{
    public string Method { get; set; } = method;
    public SipUri RequestUri { get; set; } = requestUri;
    public override bool IsRequest => true;

    /// <summary>A fresh Via branch: the magic cookie followed by 16 random hex octets.</summary>
    public static string NewBranch() => ViaHeader.MagicCookie + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewTag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>A globally unique Call-ID (RFC 3261 §8.1.1.4): 128 random bits, optionally @host.</summary>
    public static string NewCallId(string? host = null) =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + (host is null ? "" : "@" + host);

    /// <summary>
    /// A new out-of-dialog request (INVITE, OPTIONS, REGISTER, ...) per RFC 3261 §8.1.1: From with a fresh tag,
    /// To without one, a new Call-ID unless given, CSeq, Max-Forwards 70, and Contact when given. The transaction
    /// layer adds the Via (with the transport's advertised address) when it sends it.
    /// </summary>
    public static SipRequest Create(string method, SipUri requestUri, SipUri from, SipUri to, SipUri? contact = null,
        string? callId = null, uint cseq = 1, string? fromDisplayName = null, string? fromTag = null)
    {
        var request = new SipRequest(method, requestUri);
        request.AddHeader(new MaxForwardsHeader(70));
        request.AddHeader(new FromHeader(from, fromDisplayName, fromTag ?? NewTag()));
        request.AddHeader(new ToHeader(to));
        request.AddHeader(new CallIdHeader(callId ?? NewCallId()));
        request.AddHeader(new CSeqHeader(cseq, method));
        if (contact is not null) request.AddHeader(new ContactHeader(contact));
        return request;
    }
}

/// <summary>A SIP response (RFC 3261 §7.2).</summary>
public sealed class SipResponse(int statusCode, string? reasonPhrase = null) : SipMessage
{
    public int StatusCode { get; set; } = statusCode;
    public string ReasonPhrase { get; set; } = reasonPhrase ?? SipStatus.DefaultReason(statusCode);
    public override bool IsRequest => false;

    /// <summary>True for responses the stack made up itself (408 on Timer B/F, 503 on a transport error).</summary>
    public bool IsLocal { get; internal set; }

    public bool IsProvisional => StatusCode < 200;
    public bool IsSuccess => StatusCode is >= 200 and < 300;
    public bool IsFinal => StatusCode >= 200;

    /// <summary>
    /// A response to <paramref name="request"/> per RFC 3261 §8.2.6.2: Via (all, in order), From, To, Call-ID and
    /// CSeq copied; a To tag is added for non-100 responses when given and the request had none.
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string? reason = null, string? toTag = null) =>
        CreateFor(request.Headers, statusCode, reason, toTag);

    /// <summary>Same as <see cref="CreateFor(SipRequest,int,string?,string?)"/> from the headers of a rejected request.</summary>
    public static SipResponse CreateFor(IReadOnlyList<SipHeader> requestHeaders, int statusCode, string? reason = null, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reason);
        foreach (var h in requestHeaders)
        {
            switch (h.Kind)
            {
                case HeaderKind.Via:
                case HeaderKind.From:
                case HeaderKind.CallId:
                case HeaderKind.CSeq:
                    response.Headers.Add(h.Clone());
                    break;
                case HeaderKind.To:
                    var to = h.Clone();
                    if (to is ToHeader typed && typed.Tag is null && statusCode != 100 && toTag is not null) typed.Tag = toTag;
                    response.Headers.Add(to);
                    break;
            }
        }
        return response;
    }
}

/// <summary>Default reason phrases.</summary>
public static class SipStatus
{
    public static string DefaultReason(int code) => code switch
    {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => code switch
        {
            < 200 => "Session Progress",
            < 300 => "OK",
            < 400 => "Redirection",
            < 500 => "Client Error",
            < 600 => "Server Error",
            _ => "Global Failure",
        },
    };
}
