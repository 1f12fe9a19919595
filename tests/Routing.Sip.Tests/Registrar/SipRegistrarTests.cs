using System.Net;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Auth;
using Routing.Sip.Message;
using Routing.Sip.Registrar;
using Xunit;

namespace Routing.Sip.Tests.Registrar;

public class SipRegistrarTests
{
    private static readonly IPEndPoint NatSource = new(IPAddress.Parse("198.51.100.7"), 40123);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly SipRegistrar _registrar;
    private readonly List<SipBinding> _added = new();
    private readonly List<(SipBinding Binding, string Reason)> _removed = new();

    public SipRegistrarTests()
    {
        var passwords = new Dictionary<string, string> { ["2001"] = "op2001pw", ["2002"] = "op2002pw" };
        _registrar = new SipRegistrar(new RegistrarOptions { Realm = "routing" }, u => passwords.GetValueOrDefault(u), _clock);
        _registrar.BindingAdded += b => _added.Add(b);
        _registrar.BindingRemoved += (b, r) => _removed.Add((b, r));
    }

    private static SipRequest Register(string user, string contact = "sip:2001@10.0.0.5:5062", uint cseq = 1, string callId = "reg-1",
        uint? expires = 600, string? contactExpires = null)
    {
        var aor = SipUri.Parse($"sip:{user}@routing.example");
        var request = SipRequest.Create(SipMethod.Register, SipUri.Parse("sip:routing.example"), aor, aor, null, callId, cseq);
        request.Headers.Insert(0, new ViaHeader("UDP", "10.0.0.5", 5062, SipRequest.NewBranch()));
        var c = contact == "*" ? ContactHeader.Star() : new ContactHeader(SipUri.Parse(contact));
        if (contactExpires is not null) c.Parameters.Add("expires", contactExpires);
        request.AddHeader(c);
        if (expires is not null) request.AddHeader(new ExpiresHeader(expires.Value));
        return request;
    }

    /// <summary>Sends the REGISTER, answers the challenge with these credentials, and returns the final answer.</summary>
    private SipResponse Authorised(SipRequest register, string username, string password)
    {
        var challenge = _registrar.Handle(register, NatSource, "UDP");
        Assert.Equal(401, challenge.StatusCode);
        return WithCredentials(register, challenge, username, password);
    }

    private SipResponse WithCredentials(SipRequest register, SipResponse challenge, string username, string password)
    {
        Assert.True(DigestChallenge.TryParse(challenge.AuthHeaders(HeaderKind.WwwAuthenticate).Single(), out var parsed));
        register.RemoveHeaders(HeaderNames.Authorization);
        register.AddHeader(DigestCredentials.Create(parsed!, SipMethod.Register, register.RequestUri.ToString(), username, password).ToHeader());
        return _registrar.Handle(register, NatSource, "UDP");
    }

    [Fact]
    public void A_challenged_then_authorised_register_creates_a_binding_that_remembers_the_nat_source()
    {
        var ok = Authorised(Register("2001"), "2001", "op2001pw");

        Assert.Equal(200, ok.StatusCode);
        var contact = Assert.Single(ok.Contacts);
        Assert.Equal(600u, contact.Expires);
        Assert.True(_registrar.TryGetBinding("2001", out var binding));
        Assert.Equal(NatSource, binding.Source);
        Assert.Equal("UDP", binding.Transport);
        Assert.Equal("sip:2001@10.0.0.5:5062", binding.Contact.ToString());
        Assert.Equal(binding, Assert.Single(_added));
    }

    [Fact]
    public void A_wrong_password_is_challenged_again_and_another_users_credentials_are_forbidden()
    {
        var wrong = Authorised(Register("2001"), "2001", "guess");
        Assert.Equal(401, wrong.StatusCode);

        var foreign = Authorised(Register("2001"), "2002", "op2002pw");
        Assert.Equal(403, foreign.StatusCode);

        var unknown = Authorised(Register("2001"), "9999", "x");
        Assert.Equal(403, unknown.StatusCode);
        Assert.False(_registrar.TryGetBinding("2001", out _));
        Assert.Empty(_added);
    }

    [Fact]
    public void An_expired_nonce_gets_a_stale_challenge()
    {
        var register = Register("2001");
        var challenge = _registrar.Handle(register, NatSource, "UDP");
        _clock.Advance(TimeSpan.FromMinutes(6));

        var stale = WithCredentials(register, challenge, "2001", "op2001pw");

        Assert.Equal(401, stale.StatusCode);
        Assert.True(DigestChallenge.TryParse(stale.AuthHeaders(HeaderKind.WwwAuthenticate).Single(), out var parsed));
        Assert.True(parsed!.Stale);
        Assert.Equal(200, WithCredentials(register, stale, "2001", "op2001pw").StatusCode);
    }

    [Fact]
    public void A_binding_not_refreshed_expires_with_reason_expired_and_a_refresh_keeps_it()
    {
        Assert.Equal(200, Authorised(Register("2001", expires: 120), "2001", "op2001pw").StatusCode);
        Assert.Equal(200, Authorised(Register("2002", "sip:2002@10.0.0.6", expires: 300), "2002", "op2002pw").StatusCode);

        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(200, Authorised(Register("2001", cseq: 2, expires: 120), "2001", "op2001pw").StatusCode); // refresh
        _clock.Advance(TimeSpan.FromSeconds(100)); // 200 s: the original 120 s would have run out
        Assert.True(_registrar.TryGetBinding("2001", out var refreshed));
        Assert.Equal(2u, refreshed.CSeq);
        Assert.Empty(_removed);

        _clock.Advance(TimeSpan.FromSeconds(21));
        var (gone, reason) = Assert.Single(_removed);
        Assert.Equal("2001", gone.User);
        Assert.Equal("expired", reason);
        Assert.False(_registrar.TryGetBinding("2001", out _));
        Assert.True(_registrar.TryGetBinding("2002", out _));

        _clock.Advance(TimeSpan.FromSeconds(80));
        Assert.Equal(2, _removed.Count);
        Assert.Empty(_registrar.Users);
    }

    [Fact]
    public void Expires_zero_unregisters_one_contact_and_the_wildcard_removes_all()
    {
        Authorised(Register("2001", "sip:2001@10.0.0.5:5062"), "2001", "op2001pw");
        Authorised(Register("2001", "sip:2001@10.0.0.9:5062", callId: "reg-desk"), "2001", "op2001pw");
        Assert.Equal(2, _registrar.Bindings("2001").Count);

        var one = Authorised(Register("2001", "sip:2001@10.0.0.5:5062", cseq: 2, expires: 0), "2001", "op2001pw");
        Assert.Equal(200, one.StatusCode);
        Assert.Equal("sip:2001@10.0.0.9:5062", Assert.Single(one.Contacts).Uri.ToString());
        Assert.Equal("unregistered", Assert.Single(_removed).Reason);

        var badStar = Authorised(Register("2001", "*", cseq: 3, expires: 60), "2001", "op2001pw");
        Assert.Equal(400, badStar.StatusCode);

        var all = Authorised(Register("2001", "*", cseq: 3, expires: 0), "2001", "op2001pw");
        Assert.Equal(200, all.StatusCode);
        Assert.Empty(all.Contacts);
        Assert.Empty(_registrar.Bindings("2001"));
        Assert.Equal(2, _removed.Count);
    }

    [Fact]
    public void Too_brief_an_expiry_gets_423_with_min_expires_and_too_long_one_is_shortened()
    {
        var brief = Authorised(Register("2001", expires: 10), "2001", "op2001pw");
        Assert.Equal(423, brief.StatusCode);
        Assert.Equal("60", brief.GetHeaderValue("Min-Expires"));

        var briefParam = Authorised(Register("2001", expires: 600, contactExpires: "5"), "2001", "op2001pw");
        Assert.Equal(423, briefParam.StatusCode);

        var longOne = Authorised(Register("2001", expires: 86_400), "2001", "op2001pw");
        Assert.Equal(3600u, Assert.Single(longOne.Contacts).Expires);
    }

    [Fact]
    public void A_malformed_contact_expires_gets_400()
    {
        var bad = Authorised(Register("2001", contactExpires: "soon"), "2001", "op2001pw");
        Assert.Equal(400, bad.StatusCode);
        Assert.Empty(_added);
    }

    [Fact]
    public void An_older_cseq_on_the_same_call_id_is_refused_and_changes_nothing()
    {
        Authorised(Register("2001", cseq: 5, expires: 600), "2001", "op2001pw");

        var late = Authorised(Register("2001", cseq: 4, expires: 0), "2001", "op2001pw");

        Assert.Equal(500, late.StatusCode);
        Assert.True(_registrar.TryGetBinding("2001", out var kept));
        Assert.Equal(5u, kept.CSeq);
        Assert.Empty(_removed);
        // Another Call-ID (the phone restarted) may use any CSeq.
        Assert.Equal(200, Authorised(Register("2001", cseq: 1, callId: "reg-after-reboot"), "2001", "op2001pw").StatusCode);
    }

    [Fact]
    public void The_most_recent_binding_is_the_one_to_call()
    {
        Authorised(Register("2001", "sip:2001@10.0.0.5:5062"), "2001", "op2001pw");
        _clock.Advance(TimeSpan.FromSeconds(5));
        Authorised(Register("2001", "sip:2001@10.0.0.9:5062", callId: "reg-desk"), "2001", "op2001pw");

        Assert.True(_registrar.TryGetBinding("2001", out var latest));
        Assert.Equal("sip:2001@10.0.0.9:5062", latest.Contact.ToString());
    }
}
