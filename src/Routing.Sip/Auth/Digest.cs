using System.Security.Cryptography;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>Digest algorithms of RFC 7616 (MD5 is what SIP phones speak; SHA-256 where they support it).</summary>
public enum DigestAlgorithm
{
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

/// <summary>The Digest computations of RFC 2617 / RFC 7616 §3.4.</summary>
public static class Digest
{
    public static string Name(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        _ => "SHA-256-sess",
    };

    /// <summary>Parses an algorithm token; absent means MD5 (RFC 2617 §3.2.1).</summary>
    public static bool TryParseAlgorithm(string? text, out DigestAlgorithm algorithm)
    {
        algorithm = DigestAlgorithm.Md5;
        switch (text?.ToUpperInvariant())
        {
            case null or "MD5": return true;
            case "MD5-SESS": algorithm = DigestAlgorithm.Md5Sess; return true;
            case "SHA-256": algorithm = DigestAlgorithm.Sha256; return true;
            case "SHA-256-SESS": algorithm = DigestAlgorithm.Sha256Sess; return true;
            default: return false;
        }
    }

    /// <summary>H(data) as lower-case hex.</summary>
    public static string Hash(DigestAlgorithm algorithm, string data) => Hash(algorithm, Encoding.UTF8.GetBytes(data));

    public static string Hash(DigestAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess => Convert.ToHexStringLower(MD5.HashData(data)),
        _ => Convert.ToHexStringLower(SHA256.HashData(data)),
    };

    /// <summary>HA1 = H(user:realm:password), and for -sess H(HA1:nonce:cnonce).</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password, string nonce, string? cnonce)
    {
        var ha1 = Hash(algorithm, $"{username}:{realm}:{password}");
        return algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess ? Hash(algorithm, $"{ha1}:{nonce}:{cnonce}") : ha1;
    }

    /// <summary>
    /// request-digest: with qop, H(HA1:nonce:nc:cnonce:qop:HA2); without (RFC 2069), H(HA1:nonce:HA2). HA2 is
    /// H(method:uri), or H(method:uri:H(body)) for auth-int.
    /// </summary>
    public static string Response(DigestAlgorithm algorithm, string ha1, string nonce, string? nc, string? cnonce, string? qop,
        string method, string uri, ReadOnlySpan<byte> body = default)
    {
        var ha2 = string.Equals(qop, "auth-int", StringComparison.OrdinalIgnoreCase)
            ? Hash(algorithm, $"{method}:{uri}:{Hash(algorithm, body)}")
            : Hash(algorithm, $"{method}:{uri}");
        return qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}");
    }
}
