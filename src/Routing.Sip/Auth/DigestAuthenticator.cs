using System.Security.Cryptography;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Auth;

/// <summary>What <see cref="DigestAuthenticator.Verify"/> concluded.</summary>
public enum DigestOutcome
{
    Authenticated,
    /// <summary>No Digest credentials for our realm: challenge (401/407).</summary>
    Missing,
    /// <summary>Right password, expired nonce: challenge again with stale=true.</summary>
    Stale,
    /// <summary>Wrong response, foreign nonce, wrong uri or unsupported parameters: challenge afresh (or 403 after repeats).</summary>
    Invalid,
    UnknownUser,
}

/// <summary>The outcome of checking a request's credentials, with the user name they claimed.</summary>
public sealed record DigestVerification(DigestOutcome Outcome, string? Username = null);

/// <summary>
/// Server-side Digest for SIP (RFC 3261 §22 with RFC 2617/7616): issues challenges and verifies Authorization (or
/// Proxy-Authorization) against a password lookup.
/// </summary>
public sealed class DigestAuthenticator(string realm, DigestNonceService nonces, Func<string, string?> passwordLookup,
    DigestAlgorithm algorithm = DigestAlgorithm.Md5)
{
    public string Realm { get; } = realm;

    public AuthHeader CreateChallenge(bool stale = false, bool proxy = false) =>
        new DigestChallenge(Realm, nonces.Create(Realm), algorithm, Stale: stale).ToHeader(proxy);

    /// <summary>The 401 (or 407) answer to <paramref name="request"/> carrying a fresh challenge.</summary>
    public SipResponse Challenge(SipRequest request, bool stale = false, bool proxy = false, string? toTag = null)
    {
        var response = SipResponse.CreateFor(request, proxy ? 407 : 401, null, toTag);
        response.Headers.Add(CreateChallenge(stale, proxy));
        return response;
    }

    public DigestVerification Verify(SipRequest request, bool proxy = false)
    {
        var kind = proxy ? HeaderKind.ProxyAuthorization : HeaderKind.Authorization;
        DigestCredentials? credentials = null;
        foreach (var header in request.AuthHeaders(kind))
        {
            if (DigestCredentials.TryParse(header, out var c) && string.Equals(c!.Realm, Realm, StringComparison.Ordinal))
            {
                credentials = c;
                break;
            }
        }
        if (credentials is null) return new DigestVerification(DigestOutcome.Missing);
        var user = credentials.Username;

        if (credentials.Algorithm != algorithm) return new DigestVerification(DigestOutcome.Invalid, user);
        if (credentials.Qop is not null && credentials.Qop is not ("auth" or "auth-int")) return new DigestVerification(DigestOutcome.Invalid, user);
        if (!UriMatches(credentials.Uri, request.RequestUri)) return new DigestVerification(DigestOutcome.Invalid, user);

        var nonceStatus = nonces.Check(credentials.Nonce, Realm);
        if (nonceStatus == NonceStatus.Invalid) return new DigestVerification(DigestOutcome.Invalid, user);

        var password = passwordLookup(user);
        if (password is null) return new DigestVerification(DigestOutcome.UnknownUser, user);

        var ha1 = Digest.Ha1(credentials.Algorithm, user, Realm, password, credentials.Nonce, credentials.Cnonce);
        var expected = Digest.Response(credentials.Algorithm, ha1, credentials.Nonce, credentials.Nc, credentials.Cnonce,
            credentials.Qop, request.Method, credentials.Uri, request.Body.Span);
        var ok = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant()));
        if (!ok) return new DigestVerification(DigestOutcome.Invalid, user);
        return new DigestVerification(nonceStatus == NonceStatus.Stale ? DigestOutcome.Stale : DigestOutcome.Authenticated, user);
    }

    /// <summary>The digest-uri must name the Request-URI (RFC 2617 §3.2.2.5), compared as SIP URIs when both parse.</summary>
    private static bool UriMatches(string digestUri, SipUri requestUri) =>
        string.Equals(digestUri, requestUri.ToString(), StringComparison.Ordinal)
        || (SipUri.TryParse(digestUri, out var parsed) && parsed.Equals(requestUri));
}
