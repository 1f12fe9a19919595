using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Routing.Sip.Auth;
using Routing.Sip.Message;

namespace Routing.Sip.Registrar;

/// <summary>Registrar settings: the digest realm and the expiry limits (RFC 3261 §10.3).</summary>
public sealed record RegistrarOptions
{
    public required string Realm { get; init; }
    /// <summary>Shorter non-zero expiries are refused with 423 and Min-Expires.</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Longer expiries are shortened to this.</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromHours(1);
    /// <summary>When neither the contact nor the request says.</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromHours(1);
    /// <summary>How long a nonce is fresh; older ones get stale=true.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// One registered contact of a user, with where the REGISTER really came from: behind a NAT the Contact names a
/// private address, so requests to the user go to <see cref="Source"/> over <see cref="Transport"/> (for TCP, over
/// the connection the REGISTER came in on).
/// </summary>
public sealed record SipBinding(string User, SipUri Contact, string CallId, uint CSeq, string Transport, IPEndPoint Source,
    DateTimeOffset Registered, DateTimeOffset ExpiresAt)
{
    public TimeSpan Remaining(DateTimeOffset now) => ExpiresAt > now ? ExpiresAt - now : TimeSpan.Zero;
}

/// <summary>
/// A registrar (RFC 3261 §10.3) with digest authentication: the digest user must be the address-of-record's user;
/// Expires and contact expires within limits (423), <c>Contact: *</c> with Expires 0, the Call-ID/CSeq ordering
/// rule, and expiry on the injected clock with one timer. Thread-safe; events are raised outside its lock.
/// </summary>
public sealed class SipRegistrar : IDisposable
{
    private readonly RegistrarOptions _options;
    private readonly DigestAuthenticator _auth;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SipBinding>> _bindings = new(StringComparer.Ordinal);
    private readonly ITimer _expiryTimer;
    private bool _disposed;

    public SipRegistrar(RegistrarOptions options, Func<string, string?> passwordLookup, TimeProvider? time = null, byte[]? nonceKey = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        var nonces = new DigestNonceService(nonceKey ?? RandomNumberGenerator.GetBytes(32), options.NonceLifetime, _time);
        _auth = new DigestAuthenticator(options.Realm, nonces, passwordLookup);
        _expiryTimer = _time.CreateTimer(_ => ExpireDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Realm => _options.Realm;

    public event Action<SipBinding>? BindingAdded;

    /// <summary>A binding went away: reason "expired" or "unregistered".</summary>
    public event Action<SipBinding, string>? BindingRemoved;

    /// <summary>The user's most recently registered unexpired binding.</summary>
    public bool TryGetBinding(string user, out SipBinding binding)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            binding = _bindings.TryGetValue(user, out var list)
                ? list.Where(b => b.ExpiresAt > now).MaxBy(b => b.Registered)!
                : null!;
            return binding is not null;
        }
    }

    public IReadOnlyList<SipBinding> Bindings(string user)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
            return _bindings.TryGetValue(user, out var list) ? list.Where(b => b.ExpiresAt > now).ToList() : [];
    }

    /// <summary>Users with at least one binding.</summary>
    public IReadOnlyList<string> Users
    {
        get { lock (_gate) return _bindings.Keys.ToList(); }
    }

    /// <summary>Answers a REGISTER received from <paramref name="source"/> over <paramref name="transport"/> ("UDP"/"TCP").</summary>
    public SipResponse Handle(SipRequest register, IPEndPoint source, string transport)
    {
        if (register.Method != SipMethod.Register) return Reply(register, 405);
        var aor = register.To?.Uri;
        var user = aor?.UserUnescaped;
        if (register.CallId is null || register.CSeq is null || register.From is null) return Reply(register, 400, "Missing Call-ID, CSeq or From");
        if (aor is null || !aor.IsSip || string.IsNullOrEmpty(user)) return Reply(register, 404, "Not Found");

        var verification = _auth.Verify(register);
        switch (verification.Outcome)
        {
            case DigestOutcome.Missing:
            case DigestOutcome.Invalid:
                return _auth.Challenge(register, toTag: SipRequest.NewTag());
            case DigestOutcome.Stale:
                return _auth.Challenge(register, stale: true, toTag: SipRequest.NewTag());
            case DigestOutcome.UnknownUser:
                return Reply(register, 403, "Unknown user");
        }
        if (!string.Equals(verification.Username, user, StringComparison.Ordinal))
            return Reply(register, 403, "Credentials are not for this address-of-record");

        // Expires: a header that is present but did not parse stays a RawHeader.
        uint? expiresHeader = register.Expires;
        if (expiresHeader is null && register.GetHeaderValue(HeaderNames.Expires) is not null) return Reply(register, 400, "Malformed Expires");

        var contacts = register.Contacts;
        var now = _time.GetUtcNow();
        var removed = new List<(SipBinding, string)>();
        var added = new List<SipBinding>();
        SipResponse response;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var list = _bindings.TryGetValue(user, out var existing) ? existing : new List<SipBinding>();
            if (contacts.Any(c => c.IsStar))
            {
                if (contacts.Count != 1 || expiresHeader != 0) return Reply(register, 400, "Contact: * needs Expires: 0 and no other Contact");
                foreach (var b in list.ToList())
                {
                    if (b.CallId == register.CallId && register.CSeq.Sequence <= b.CSeq) continue; // an older request arriving late
                    list.Remove(b);
                    removed.Add((b, "unregistered"));
                }
            }
            else
            {
                // Validate every contact before changing anything (the request is applied whole or not at all).
                var changes = new List<(ContactHeader Contact, uint Seconds)>();
                foreach (var contact in contacts)
                {
                    uint seconds;
                    if (contact.Parameters.Contains("expires"))
                    {
                        if (contact.Expires is not { } e) return Reply(register, 400, "Malformed contact expires");
                        seconds = e;
                    }
                    else seconds = expiresHeader ?? (uint)_options.DefaultExpires.TotalSeconds;
                    if (seconds != 0 && seconds < _options.MinExpires.TotalSeconds)
                    {
                        var tooBrief = Reply(register, 423);
                        tooBrief.AddHeader("Min-Expires", ((uint)_options.MinExpires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                        return tooBrief;
                    }
                    seconds = Math.Min(seconds, (uint)_options.MaxExpires.TotalSeconds);
                    var same = list.FirstOrDefault(b => b.Contact.Equals(contact.Uri));
                    if (same is not null && same.CallId == register.CallId && register.CSeq.Sequence <= same.CSeq)
                        return Reply(register, 500, "Out of order CSeq for this Call-ID");
                    changes.Add((contact, seconds));
                }
                foreach (var (contact, seconds) in changes)
                {
                    var same = list.FirstOrDefault(b => b.Contact.Equals(contact.Uri));
                    if (same is not null) list.Remove(same);
                    if (seconds == 0)
                    {
                        if (same is not null) removed.Add((same, "unregistered"));
                        continue;
                    }
                    var binding = new SipBinding(user, contact.Uri.Clone(), register.CallId, register.CSeq.Sequence, transport, source,
                        now, now + TimeSpan.FromSeconds(seconds));
                    list.Add(binding);
                    added.Add(binding);
                }
            }
            if (list.Count > 0) _bindings[user] = list;
            else _bindings.Remove(user);

            response = Reply(register, 200);
            foreach (var b in list)
            {
                var c = new ContactHeader(b.Contact.Clone());
                c.Expires = (uint)Math.Ceiling(b.Remaining(now).TotalSeconds);
                response.AddHeader(c);
            }
            response.AddHeader("Date", now.ToString("r", CultureInfo.InvariantCulture));
            Reschedule(now);
        }
        foreach (var (b, reason) in removed) BindingRemoved?.Invoke(b, reason);
        foreach (var b in added) BindingAdded?.Invoke(b);
        return response;
    }

    private static SipResponse Reply(SipRequest request, int code, string? reason = null) =>
        SipResponse.CreateFor(request, code, reason, SipRequest.NewTag());

    /// <summary>Points the one timer at the earliest expiry (under the lock).</summary>
    private void Reschedule(DateTimeOffset now)
    {
        if (_disposed) return;
        var next = _bindings.Values.SelectMany(l => l).Select(b => (DateTimeOffset?)b.ExpiresAt).Min();
        if (next is null) _expiryTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        else _expiryTimer.Change(next.Value > now ? next.Value - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void ExpireDue()
    {
        var expired = new List<SipBinding>();
        lock (_gate)
        {
            if (_disposed) return;
            var now = _time.GetUtcNow();
            foreach (var (user, list) in _bindings.ToList())
            {
                expired.AddRange(list.Where(b => b.ExpiresAt <= now));
                list.RemoveAll(b => b.ExpiresAt <= now);
                if (list.Count == 0) _bindings.Remove(user);
            }
            Reschedule(now);
        }
        foreach (var b in expired) BindingRemoved?.Invoke(b, "expired");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _expiryTimer.Dispose();
    }
}
