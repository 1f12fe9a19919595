using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>What a nonce check concluded.</summary>
public enum NonceStatus
{
    Valid,
    /// <summary>Ours but expired: answer with stale=true so the client retries without asking the user.</summary>
    Stale,
    /// <summary>Not issued by us (or by a server with another key), or for another realm.</summary>
    Invalid,
}

/// <summary>
/// Stateless nonces: base64url(issue time ‖ HMAC-SHA256(key, issue time ‖ realm)[..16]). Any node holding the key can
/// verify a nonce another node issued, and nothing is stored. Replay within the lifetime is not detected (that needs
/// per-nonce nc tracking, i.e. state).
/// </summary>
public sealed class DigestNonceService
{
    private const int StampBytes = 8;
    private const int MacBytes = 16;
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public DigestNonceService(byte[] key, TimeSpan lifetime, TimeProvider? time = null)
    {
        if (key.Length < 16) throw new ArgumentException("Use a key of at least 16 bytes", nameof(key));
        _key = key.ToArray();
        Lifetime = lifetime;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan Lifetime { get; }

    public string Create(string realm)
    {
        Span<byte> nonce = stackalloc byte[StampBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Mac(nonce[..StampBytes], realm, nonce[StampBytes..]);
        return Base64Url(nonce);
    }

    public NonceStatus Check(string nonce, string realm)
    {
        Span<byte> raw = stackalloc byte[StampBytes + MacBytes];
        if (!TryDecode(nonce, raw)) return NonceStatus.Invalid;
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(raw[..StampBytes], realm, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, raw[StampBytes..])) return NonceStatus.Invalid;
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var now = _time.GetUtcNow();
        if (issued > now + TimeSpan.FromMinutes(1)) return NonceStatus.Invalid;
        return now - issued > Lifetime ? NonceStatus.Stale : NonceStatus.Valid;
    }

    private void Mac(ReadOnlySpan<byte> stamp, string realm, Span<byte> output)
    {
        var realmBytes = Encoding.UTF8.GetBytes(realm);
        var input = new byte[stamp.Length + realmBytes.Length];
        stamp.CopyTo(input);
        realmBytes.CopyTo(input, stamp.Length);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, input, full);
        full[..output.Length].CopyTo(output);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string nonce, Span<byte> output)
    {
        if (nonce.Length != 32) return false; // 24 bytes → 32 base64 characters, no padding
        var standard = nonce.Replace('-', '+').Replace('_', '/');
        return Convert.TryFromBase64String(standard, output, out var written) && written == output.Length;
    }
}
