using Routing.Sip.Message;

namespace Routing.Sip.Auth;

/// <summary>A Digest challenge (WWW-Authenticate / Proxy-Authenticate).</summary>
public sealed record DigestChallenge(string Realm, string Nonce, DigestAlgorithm Algorithm = DigestAlgorithm.Md5,
    string? Opaque = null, bool Stale = false, string? Qop = "auth")
{
    public AuthHeader ToHeader(bool proxy = false)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("realm", Realm),
            new("nonce", Nonce),
        };
        if (Opaque is not null) parameters.Add(new("opaque", Opaque));
        if (Stale) parameters.Add(new("stale", "true"));
        parameters.Add(new("algorithm", Digest.Name(Algorithm)));
        if (Qop is not null) parameters.Add(new("qop", Qop));
        return AuthHeader.Create(proxy ? HeaderNames.ProxyAuthenticate : HeaderNames.WwwAuthenticate, "Digest", parameters,
            new HashSet<string> { "realm", "nonce", "opaque", "qop" });
    }

    public static bool TryParse(AuthHeader header, out DigestChallenge? challenge)
    {
        challenge = null;
        if (!string.Equals(header.Scheme, "Digest", StringComparison.OrdinalIgnoreCase)) return false;
        var realm = header.Get("realm");
        var nonce = header.Get("nonce");
        if (realm is null || nonce is null || !Digest.TryParseAlgorithm(header.Get("algorithm"), out var algorithm)) return false;
        challenge = new DigestChallenge(realm, nonce, algorithm, header.Get("opaque"),
            string.Equals(header.Get("stale"), "true", StringComparison.OrdinalIgnoreCase), header.Get("qop"));
        return true;
    }
}

/// <summary>Digest credentials (Authorization / Proxy-Authorization).</summary>
public sealed record DigestCredentials(string Username, string Realm, string Nonce, string Uri, string Response,
    DigestAlgorithm Algorithm = DigestAlgorithm.Md5, string? Qop = null, string? Nc = null, string? Cnonce = null, string? Opaque = null)
{
    public AuthHeader ToHeader(bool proxy = false)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("username", Username),
            new("realm", Realm),
            new("nonce", Nonce),
            new("uri", Uri),
            new("response", Response),
            new("algorithm", Digest.Name(Algorithm)),
        };
        if (Qop is not null)
        {
            parameters.Add(new("qop", Qop));
            parameters.Add(new("nc", Nc ?? "00000001"));
            parameters.Add(new("cnonce", Cnonce ?? ""));
        }
        if (Opaque is not null) parameters.Add(new("opaque", Opaque));
        return AuthHeader.Create(proxy ? HeaderNames.ProxyAuthorization : HeaderNames.Authorization, "Digest", parameters,
            new HashSet<string> { "username", "realm", "nonce", "uri", "response", "cnonce", "opaque" });
    }

    /// <summary>Reads Digest credentials; false for other schemes or when a required field is missing.</summary>
    public static bool TryParse(AuthHeader header, out DigestCredentials? credentials)
    {
        credentials = null;
        if (!string.Equals(header.Scheme, "Digest", StringComparison.OrdinalIgnoreCase)) return false;
        var username = header.Get("username");
        var realm = header.Get("realm");
        var nonce = header.Get("nonce");
        var uri = header.Get("uri");
        var response = header.Get("response");
        if (username is null || realm is null || nonce is null || uri is null || response is null) return false;
        if (!Digest.TryParseAlgorithm(header.Get("algorithm"), out var algorithm)) return false;
        var qop = header.Get("qop");
        var nc = header.Get("nc");
        var cnonce = header.Get("cnonce");
        if (qop is not null && (nc is null || cnonce is null)) return false;
        credentials = new DigestCredentials(username, realm, nonce, uri, response, algorithm, qop, nc, cnonce, header.Get("opaque"));
        return true;
    }

    /// <summary>The client side: credentials answering <paramref name="challenge"/> for a request.</summary>
    public static DigestCredentials Create(DigestChallenge challenge, string method, string uri, string username, string password,
        string? cnonce = null, uint nonceCount = 1, ReadOnlySpan<byte> body = default)
    {
        string? qop = null;
        if (challenge.Qop is { } offered)
        {
            var options = offered.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            qop = options.Contains("auth", StringComparer.OrdinalIgnoreCase) ? "auth"
                : options.Contains("auth-int", StringComparer.OrdinalIgnoreCase) ? "auth-int" : null;
        }
        cnonce ??= Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var nc = nonceCount.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var ha1 = Digest.Ha1(challenge.Algorithm, username, challenge.Realm, password, challenge.Nonce, cnonce);
        var response = Digest.Response(challenge.Algorithm, ha1, challenge.Nonce, qop is null ? null : nc, qop is null ? null : cnonce, qop, method, uri, body);
        return new DigestCredentials(username, challenge.Realm, challenge.Nonce, uri, response, challenge.Algorithm,
            qop, qop is null ? null : nc, qop is null ? null : cnonce, challenge.Opaque);
    }
}
