using System.Globalization;
using System.Text;

namespace Routing.Sip.Message;

/// <summary>One header field value. Typed subclasses for the headers the stack uses; <see cref="RawHeader"/> for the rest.</summary>
public abstract class SipHeader
{
    /// <summary>The name written on the wire (canonical long form for known headers).</summary>
    public abstract string Name { get; }

    public virtual HeaderKind Kind => HeaderKind.Other;

    public abstract void WriteValue(StringBuilder sb);

    public string Value
    {
        get
        {
            var sb = new StringBuilder(64);
            WriteValue(sb);
            return sb.ToString();
        }
    }

    /// <summary>A deep copy, so a response built from a request can be changed without touching the request.</summary>
    public abstract SipHeader Clone();

    public override string ToString() => $"{Name}: {Value}";
}

/// <summary>A header kept as text: unknown headers, and known ones that failed to parse in a rejected message.</summary>
public sealed class RawHeader : SipHeader
{
    private readonly string _name;
    private readonly HeaderKind _kind;

    public RawHeader(string name, string value)
    {
        if (HeaderNames.TryLookup(name, out var canonical, out var kind))
        {
            _name = canonical;
            _kind = kind;
        }
        else _name = name;
        RawValue = value;
    }

    public override string Name => _name;
    public override HeaderKind Kind => _kind;
    public string RawValue { get; }
    public override void WriteValue(StringBuilder sb) => sb.Append(RawValue);
    public override SipHeader Clone() => this; // immutable
}

/// <summary>Via (RFC 3261 §20.42) with the RFC 3581 rport parameter.</summary>
public sealed class ViaHeader : SipHeader
{
    /// <summary>The RFC 3261 branch prefix that marks a globally unique transaction id.</summary>
    public const string MagicCookie = "z9hG4bK";

    public ViaHeader(string transport, string host, int? port = null, string? branch = null)
    {
        Transport = transport;
        Host = host;
        Port = port;
        if (branch is not null) Parameters.Add("branch", branch);
    }

    public override string Name => HeaderNames.Via;
    public override HeaderKind Kind => HeaderKind.Via;
    public string ProtocolName { get; set; } = "SIP";
    public string ProtocolVersion { get; set; } = "2.0";
    public string Transport { get; set; }
    public string Host { get; set; }
    public int? Port { get; set; }
    public SipParameters Parameters { get; private init; } = new();

    public string? Branch
    {
        get => Parameters.Get("branch");
        set { if (value is null) Parameters.Remove("branch"); else Parameters.Set("branch", value); }
    }

    /// <summary>True when the branch carries the magic cookie and something after it (RFC 4475 §3.2.1).</summary>
    public bool HasRfc3261Branch => Branch is { Length: > 7 } b && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    public string? Received
    {
        get => Parameters.Get("received");
        set { if (value is null) Parameters.Remove("received"); else Parameters.Set("received", value); }
    }

    /// <summary>True when an rport parameter is present, with or without a value.</summary>
    public bool HasRport => Parameters.Contains("rport");

    public int? Rport => int.TryParse(Parameters.Get("rport"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    public string? Maddr => Parameters.Get("maddr");

    public int? Ttl => int.TryParse(Parameters.Get("ttl"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>The sent-by part, host[:port], as used by transaction matching.</summary>
    public string SentBy => Port is { } p ? $"{Host}:{p}" : Host;

    public override void WriteValue(StringBuilder sb)
    {
        sb.Append(ProtocolName).Append('/').Append(ProtocolVersion).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is { } port) sb.Append(':').Append(port);
        Parameters.WriteTo(sb);
    }

    public override SipHeader Clone() => new ViaHeader(Transport, Host, Port)
    {
        ProtocolName = ProtocolName,
        ProtocolVersion = ProtocolVersion,
        Parameters = Parameters.Clone(),
    };
}

/// <summary>A name-addr / addr-spec header: From, To, Contact, Route, Record-Route.</summary>
public abstract class AddressHeader : SipHeader
{
    protected AddressHeader(SipUri uri, string? displayName)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>Display name with quotes removed and quoted-pairs resolved; null when absent.</summary>
    public string? DisplayName { get; set; }

    public SipUri Uri { get; set; }

    /// <summary>Header parameters (after the URI), e.g. tag, expires, q.</summary>
    public SipParameters Parameters { get; protected init; } = new();

    public override void WriteValue(StringBuilder sb)
    {
        if (!string.IsNullOrEmpty(DisplayName)) sb.Append(SipParameters.Quote(DisplayName)).Append(' ');
        sb.Append('<');
        Uri.WriteTo(sb);
        sb.Append('>');
        Parameters.WriteTo(sb);
    }

    protected T CopyTo<T>(T target) where T : AddressHeader
    {
        foreach (var p in Parameters) target.Parameters.Add(p.Name, p.Value);
        return target;
    }
}

/// <summary>From (RFC 3261 §20.20).</summary>
public sealed class FromHeader : AddressHeader
{
    public FromHeader(SipUri uri, string? displayName = null, string? tag = null) : base(uri, displayName)
    {
        if (tag is not null) Parameters.Add("tag", tag);
    }

    public override string Name => HeaderNames.From;
    public override HeaderKind Kind => HeaderKind.From;

    public string? Tag
    {
        get => Parameters.Get("tag");
        set { if (value is null) Parameters.Remove("tag"); else Parameters.Set("tag", value); }
    }

    public override SipHeader Clone() => CopyTo(new FromHeader(Uri.Clone(), DisplayName));
}

/// <summary>To (RFC 3261 §20.39).</summary>
public sealed class ToHeader : AddressHeader
{
    public ToHeader(SipUri uri, string? displayName = null, string? tag = null) : base(uri, displayName)
    {
        if (tag is not null) Parameters.Add("tag", tag);
    }

    public override string Name => HeaderNames.To;
    public override HeaderKind Kind => HeaderKind.To;

    public string? Tag
    {
        get => Parameters.Get("tag");
        set { if (value is null) Parameters.Remove("tag"); else Parameters.Set("tag", value); }
    }

    public override SipHeader Clone() => CopyTo(new ToHeader(Uri.Clone(), DisplayName));
}

/// <summary>One Contact value (RFC 3261 §20.10), or the wildcard <c>*</c>.</summary>
public sealed class ContactHeader : AddressHeader
{
    private static readonly SipUri StarPlaceholder = SipUri.Create("*");

    public ContactHeader(SipUri uri, string? displayName = null) : base(uri, displayName) { }

    private ContactHeader() : base(StarPlaceholder, null) => IsStar = true;

    public static ContactHeader Star() => new();

    public override string Name => HeaderNames.Contact;
    public override HeaderKind Kind => HeaderKind.Contact;
    public bool IsStar { get; }

    /// <summary>The expires parameter in seconds; values beyond 2^32-1 saturate (RFC 4475 §3.1.2.4).</summary>
    public uint? Expires
    {
        get => SipChars.TryParseSaturating(Parameters.Get("expires"), uint.MaxValue, out var v) ? (uint)v : null;
        set { if (value is null) Parameters.Remove("expires"); else Parameters.Set("expires", value.Value.ToString(CultureInfo.InvariantCulture)); }
    }

    /// <summary>The q parameter (0..1), null when absent or malformed (the parser rejects malformed ones).</summary>
    public double? Q => Parameters.Get("q") is { } q && ContactQ.TryParse(q, out var v) ? v : null;

    public override void WriteValue(StringBuilder sb)
    {
        if (IsStar)
        {
            sb.Append('*');
            Parameters.WriteTo(sb);
            return;
        }
        base.WriteValue(sb);
    }

    public override SipHeader Clone() => IsStar ? CopyTo(new ContactHeader()) : CopyTo(new ContactHeader(Uri.Clone(), DisplayName));
}

internal static class ContactQ
{
    /// <summary>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || (s[0] != '0' && s[0] != '1')) return false;
        if (s.Length > 1 && (s[1] != '.' || s.Length > 5)) return false;
        for (var i = 2; i < s.Length; i++)
        {
            if (!SipChars.IsDigit(s[i])) return false;
            if (s[0] == '1' && s[i] != '0') return false;
        }
        value = double.Parse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return true;
    }
}

/// <summary>Route (RFC 3261 §20.34).</summary>
public sealed class RouteHeader(SipUri uri, string? displayName = null) : AddressHeader(uri, displayName)
{
    public override string Name => HeaderNames.Route;
    public override HeaderKind Kind => HeaderKind.Route;
    public override SipHeader Clone() => CopyTo(new RouteHeader(Uri.Clone(), DisplayName));
}

/// <summary>Record-Route (RFC 3261 §20.30).</summary>
public sealed class RecordRouteHeader(SipUri uri, string? displayName = null) : AddressHeader(uri, displayName)
{
    public override string Name => HeaderNames.RecordRoute;
    public override HeaderKind Kind => HeaderKind.RecordRoute;
    public override SipHeader Clone() => CopyTo(new RecordRouteHeader(Uri.Clone(), DisplayName));
}

/// <summary>Call-ID (RFC 3261 §20.8).</summary>
public sealed class CallIdHeader(string value) : SipHeader
{
    public override string Name => HeaderNames.CallId;
    public override HeaderKind Kind => HeaderKind.CallId;
    public string CallId { get; } = value;
    public override void WriteValue(StringBuilder sb) => sb.Append(CallId);
    public override SipHeader Clone() => this;
}

/// <summary>CSeq (RFC 3261 §20.16): sequence number and method.</summary>
public sealed class CSeqHeader(uint sequence, string method) : SipHeader
{
    public override string Name => HeaderNames.CSeq;
    public override HeaderKind Kind => HeaderKind.CSeq;
    public uint Sequence { get; } = sequence;
    public string Method { get; } = method;
    public override void WriteValue(StringBuilder sb) => sb.Append(Sequence).Append(' ').Append(Method);
    public override SipHeader Clone() => this;
}

/// <summary>Max-Forwards (RFC 3261 §20.22), 0..255.</summary>
public sealed class MaxForwardsHeader(int value) : SipHeader
{
    public override string Name => HeaderNames.MaxForwards;
    public override HeaderKind Kind => HeaderKind.MaxForwards;
    public int Hops { get; } = value;
    public override void WriteValue(StringBuilder sb) => sb.Append(Hops);
    public override SipHeader Clone() => this;
}

/// <summary>Content-Length as received; the serializer always writes the real body length instead.</summary>
public sealed class ContentLengthHeader(int value) : SipHeader
{
    public override string Name => HeaderNames.ContentLength;
    public override HeaderKind Kind => HeaderKind.ContentLength;
    public int Length { get; } = value;
    public override void WriteValue(StringBuilder sb) => sb.Append(Length);
    public override SipHeader Clone() => this;
}

/// <summary>Content-Type (RFC 3261 §20.15): type/subtype and parameters.</summary>
public sealed class ContentTypeHeader(string mediaType, string subType) : SipHeader
{
    public override string Name => HeaderNames.ContentType;
    public override HeaderKind Kind => HeaderKind.ContentType;
    public string MediaType { get; } = mediaType;
    public string SubType { get; } = subType;
    public SipParameters Parameters { get; private init; } = new();
    public string MimeType => $"{MediaType}/{SubType}";

    public bool Is(string type, string subType) =>
        string.Equals(MediaType, type, StringComparison.OrdinalIgnoreCase) && string.Equals(SubType, subType, StringComparison.OrdinalIgnoreCase);

    public override void WriteValue(StringBuilder sb)
    {
        sb.Append(MediaType).Append('/').Append(SubType);
        Parameters.WriteTo(sb);
    }

    public override SipHeader Clone() => new ContentTypeHeader(MediaType, SubType) { Parameters = Parameters.Clone() };
}

/// <summary>Expires (RFC 3261 §20.19) in seconds; values beyond 2^32-1 saturate.</summary>
public sealed class ExpiresHeader(uint seconds) : SipHeader
{
    public override string Name => HeaderNames.Expires;
    public override HeaderKind Kind => HeaderKind.Expires;
    public uint Seconds { get; } = seconds;
    public override void WriteValue(StringBuilder sb) => sb.Append(Seconds);
    public override SipHeader Clone() => this;
}

/// <summary>
/// WWW-Authenticate, Authorization, Proxy-Authenticate, Proxy-Authorization: the raw text (always what is
/// written) plus the scheme and the comma-separated auth-params when they parse.
/// </summary>
public sealed class AuthHeader : SipHeader
{
    private readonly string _name;

    public AuthHeader(string name, string rawValue, string scheme, IReadOnlyList<SipParameter> parameters)
    {
        _name = HeaderNames.Canonical(name) ?? name;
        RawValue = rawValue;
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>Builds a header from a scheme and parameters; values listed in <paramref name="quoted"/> are quoted.</summary>
    public static AuthHeader Create(string name, string scheme, IEnumerable<KeyValuePair<string, string>> parameters, ISet<string> quoted)
    {
        var list = new List<SipParameter>();
        var sb = new StringBuilder(scheme).Append(' ');
        var first = true;
        foreach (var (key, value) in parameters)
        {
            if (!first) sb.Append(", ");
            first = false;
            var written = quoted.Contains(key) ? SipParameters.Quote(value) : value;
            sb.Append(key).Append('=').Append(written);
            list.Add(new SipParameter(key, written));
        }
        return new AuthHeader(name, sb.ToString(), scheme, list);
    }

    public override string Name => _name;
    public override HeaderKind Kind => HeaderNames.KindOf(_name);
    public string RawValue { get; }
    public string Scheme { get; }
    /// <summary>auth-params as written (quoted values keep their quotes); empty if they did not parse.</summary>
    public IReadOnlyList<SipParameter> Parameters { get; }

    /// <summary>A parameter value, unquoted.</summary>
    public string? Get(string name)
    {
        foreach (var p in Parameters)
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return SipParameters.Unquote(p.Value);
        return null;
    }

    public override void WriteValue(StringBuilder sb) => sb.Append(RawValue);
    public override SipHeader Clone() => this;
}
