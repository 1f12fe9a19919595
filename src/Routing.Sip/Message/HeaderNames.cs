namespace Routing.Sip.Message;

/// <summary>The header kinds the stack types; everything else is <see cref="Other"/> and kept raw.</summary>
public enum HeaderKind
{
    Other,
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    Route,
    RecordRoute,
    MaxForwards,
    ContentLength,
    ContentType,
    Expires,
    WwwAuthenticate,
    Authorization,
    ProxyAuthenticate,
    ProxyAuthorization,
}

/// <summary>Canonical header names, compact forms (RFC 3261 §7.3.3 and extensions) and name lookup.</summary>
public static class HeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string MaxForwards = "Max-Forwards";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string ContentEncoding = "Content-Encoding";
    public const string Expires = "Expires";
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string Authorization = "Authorization";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string Subject = "Subject";
    public const string Supported = "Supported";
    public const string Require = "Require";
    public const string ProxyRequire = "Proxy-Require";
    public const string Unsupported = "Unsupported";
    public const string Allow = "Allow";
    public const string Accept = "Accept";
    public const string Date = "Date";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string RetryAfter = "Retry-After";
    public const string Warning = "Warning";
    public const string Event = "Event";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string AllowEvents = "Allow-Events";
    public const string SessionExpires = "Session-Expires";
    public const string MinExpires = "Min-Expires";
    public const string Timestamp = "Timestamp";

    private readonly record struct Entry(string Name, HeaderKind Kind, bool IsList);

    private static readonly Dictionary<string, Entry> Known = BuildTable();
    private static readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, Entry> BuildTable()
    {
        var t = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        void Add(string name, HeaderKind kind, bool isList, string? compact = null)
        {
            var e = new Entry(name, kind, isList);
            t[name] = e;
            if (compact is not null) t[compact] = e;
        }
        Add(Via, HeaderKind.Via, true, "v");
        Add(From, HeaderKind.From, false, "f");
        Add(To, HeaderKind.To, false, "t");
        Add(CallId, HeaderKind.CallId, false, "i");
        Add(CSeq, HeaderKind.CSeq, false);
        Add(Contact, HeaderKind.Contact, true, "m");
        Add(Route, HeaderKind.Route, true);
        Add(RecordRoute, HeaderKind.RecordRoute, true);
        Add(MaxForwards, HeaderKind.MaxForwards, false);
        Add(ContentLength, HeaderKind.ContentLength, false, "l");
        Add(ContentType, HeaderKind.ContentType, false, "c");
        Add(Expires, HeaderKind.Expires, false);
        Add(WwwAuthenticate, HeaderKind.WwwAuthenticate, false);
        Add(Authorization, HeaderKind.Authorization, false);
        Add(ProxyAuthenticate, HeaderKind.ProxyAuthenticate, false);
        Add(ProxyAuthorization, HeaderKind.ProxyAuthorization, false);
        Add(ContentEncoding, HeaderKind.Other, true, "e");
        Add(Subject, HeaderKind.Other, false, "s");
        Add(Supported, HeaderKind.Other, true, "k");
        Add(Event, HeaderKind.Other, false, "o");
        Add(ReferTo, HeaderKind.Other, false, "r");
        Add(ReferredBy, HeaderKind.Other, false, "b");
        Add(AllowEvents, HeaderKind.Other, true, "u");
        Add(SessionExpires, HeaderKind.Other, false, "x");
        Add("Accept-Contact", HeaderKind.Other, true, "a");
        Add("Reject-Contact", HeaderKind.Other, true, "j");
        Add("Request-Disposition", HeaderKind.Other, true, "d");
        Add("Identity", HeaderKind.Other, false, "y");
        Add("Identity-Info", HeaderKind.Other, false, "n");
        foreach (var name in new[] { Require, ProxyRequire, Unsupported, Allow, Accept, "Accept-Encoding", "Accept-Language", "In-Reply-To", "Content-Language" })
            Add(name, HeaderKind.Other, true);
        foreach (var name in new[] { Date, UserAgent, Server, RetryAfter, Warning, MinExpires, Timestamp, "Organization", "Priority", "Reply-To", "MIME-Version", "Content-Disposition", "Error-Info", "Alert-Info", "Call-Info", "Authentication-Info", "RSeq", "RAck", "Path", "Service-Route", "P-Asserted-Identity", "Privacy", "Reason" })
            Add(name, HeaderKind.Other, false);
        return t;
    }

    /// <summary>Canonical spelling of a known name (compact forms expanded), or null for an unknown one.</summary>
    public static string? Canonical(ReadOnlySpan<char> name) => KnownBySpan.TryGetValue(name, out var e) ? e.Name : null;

    public static HeaderKind KindOf(ReadOnlySpan<char> name) => KnownBySpan.TryGetValue(name, out var e) ? e.Kind : HeaderKind.Other;

    internal static bool TryLookup(ReadOnlySpan<char> name, out string canonical, out HeaderKind kind)
    {
        if (KnownBySpan.TryGetValue(name, out var e))
        {
            canonical = e.Name;
            kind = e.Kind;
            return true;
        }
        canonical = "";
        kind = HeaderKind.Other;
        return false;
    }

    /// <summary>True when two names denote the same header (case-insensitive, compact forms equal long ones).</summary>
    public static bool SameHeader(string a, string b) =>
        string.Equals(Canonical(a) ?? a, Canonical(b) ?? b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Headers whose values may be comma-joined on one line (RFC 3261 §7.3.1).</summary>
    public static bool IsList(ReadOnlySpan<char> name) => KnownBySpan.TryGetValue(name, out var e) && e.IsList;
}
