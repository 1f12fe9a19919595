using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Auth;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Auth;

public class DigestTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Rfc2617_example_gives_the_published_response()
    {
        var ha1 = Digest.Ha1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "0a4f113b");
        var response = Digest.Response(DigestAlgorithm.Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", "GET", "/dir/index.html");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_examples_give_the_published_responses(DigestAlgorithm algorithm, string expected)
    {
        const string nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        const string cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        var ha1 = Digest.Ha1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life", nonce, cnonce);
        Assert.Equal(expected, Digest.Response(algorithm, ha1, nonce, "00000001", cnonce, "auth", "GET", "/dir/index.html"));
    }

    [Fact]
    public void Credentials_built_from_the_rfc2617_challenge_serialize_and_parse_back()
    {
        var challenge = new DigestChallenge("testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093", Opaque: "5ccc069c403ebaf9f0171e9517f40e41", Qop: "auth,auth-int");
        var credentials = DigestCredentials.Create(challenge, "GET", "/dir/index.html", "Mufasa", "Circle Of Life", cnonce: "0a4f113b");
        Assert.Equal("6629fae49393a05397450978507c4ef1", credentials.Response);
        var header = credentials.ToHeader();
        Assert.Contains("response=\"6629fae49393a05397450978507c4ef1\"", header.RawValue);
        Assert.Contains("qop=auth, nc=00000001", header.RawValue);

        var request = SipParser.ParseDatagram(Parsing.SipParserTests.Invite.Replace("Max-Forwards: 70", $"Max-Forwards: 70\r\nAuthorization: {header.RawValue}")).Request!;
        Assert.True(DigestCredentials.TryParse(request.AuthHeaders(HeaderKind.Authorization).Single(), out var parsed));
        Assert.Equal(credentials, parsed);
    }

    private sealed class Fixture
    {
        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        public DigestNonceService Nonces { get; }
        public DigestAuthenticator Server { get; }

        public Fixture(DigestAlgorithm algorithm = DigestAlgorithm.Md5)
        {
            Nonces = new DigestNonceService(Key, TimeSpan.FromMinutes(5), Clock);
            Server = new DigestAuthenticator("acd.example.com", Nonces, user => user == "agent1001" ? "s3cret" : null, algorithm);
        }

        public static SipRequest Register()
        {
            var r = new SipRequest(SipMethod.Register, SipUri.Parse("sip:acd.example.com"));
            r.AddHeader(new ViaHeader("UDP", "192.0.2.10", 5060, SipRequest.NewBranch()));
            r.AddHeader(new FromHeader(SipUri.Parse("sip:agent1001@acd.example.com"), null, "t"));
            r.AddHeader(new ToHeader(SipUri.Parse("sip:agent1001@acd.example.com")));
            r.AddHeader(new CallIdHeader("reg-1"));
            r.AddHeader(new CSeqHeader(1, SipMethod.Register));
            return r;
        }

        public SipRequest AnsweredRegister(string user, string password, AuthHeader? challengeHeader = null)
        {
            var challenge = challengeHeader ?? Server.Challenge(Register()).AuthHeaders(HeaderKind.WwwAuthenticate).Single();
            Assert.True(DigestChallenge.TryParse(challenge, out var parsed));
            var request = Register();
            request.AddHeader(DigestCredentials.Create(parsed!, request.Method, request.RequestUri.ToString(), user, password).ToHeader());
            // Through the wire and back, as a registrar would see it.
            return SipParser.ParseDatagram(request.ToBytes()).Request!;
        }
    }

    [Fact]
    public void Request_without_credentials_is_challenged_with_a_401()
    {
        var f = new Fixture();
        Assert.Equal(DigestOutcome.Missing, f.Server.Verify(Fixture.Register()).Outcome);
        var challenge = f.Server.Challenge(Fixture.Register(), toTag: "x");
        Assert.Equal(401, challenge.StatusCode);
        var header = challenge.AuthHeaders(HeaderKind.WwwAuthenticate).Single();
        Assert.Equal("Digest", header.Scheme);
        Assert.Equal("acd.example.com", header.Get("realm"));
        Assert.Equal("auth", header.Get("qop"));
        Assert.Equal("MD5", header.Get("algorithm"));
        Assert.Null(header.Get("stale"));
    }

    [Fact]
    public void Right_password_authenticates()
    {
        var f = new Fixture();
        var result = f.Server.Verify(f.AnsweredRegister("agent1001", "s3cret"));
        Assert.Equal(new DigestVerification(DigestOutcome.Authenticated, "agent1001"), result);
    }

    [Fact]
    public void Sha256_works_end_to_end()
    {
        var f = new Fixture(DigestAlgorithm.Sha256);
        Assert.Equal(DigestOutcome.Authenticated, f.Server.Verify(f.AnsweredRegister("agent1001", "s3cret")).Outcome);
    }

    [Fact]
    public void Wrong_password_and_unknown_user_are_refused()
    {
        var f = new Fixture();
        Assert.Equal(DigestOutcome.Invalid, f.Server.Verify(f.AnsweredRegister("agent1001", "guess")).Outcome);
        Assert.Equal(DigestOutcome.UnknownUser, f.Server.Verify(f.AnsweredRegister("nobody", "x")).Outcome);
    }

    [Fact]
    public void Expired_nonce_with_the_right_password_is_stale_and_rechallenged_with_stale_true()
    {
        var f = new Fixture();
        var challenge = f.Server.Challenge(Fixture.Register()).AuthHeaders(HeaderKind.WwwAuthenticate).Single();
        f.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(DigestOutcome.Stale, f.Server.Verify(f.AnsweredRegister("agent1001", "s3cret", challenge)).Outcome);
        Assert.Equal(DigestOutcome.Invalid, f.Server.Verify(f.AnsweredRegister("agent1001", "wrong", challenge)).Outcome);
        var again = f.Server.Challenge(Fixture.Register(), stale: true).AuthHeaders(HeaderKind.WwwAuthenticate).Single();
        Assert.Equal("true", again.Get("stale"));
    }

    [Fact]
    public void Nonce_verification_is_stateless_across_instances_sharing_the_key()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        var issuer = new DigestNonceService(Key, TimeSpan.FromMinutes(1), clock);
        var verifier = new DigestNonceService(Key, TimeSpan.FromMinutes(1), clock);
        var nonce = issuer.Create("r");
        Assert.Equal(NonceStatus.Valid, verifier.Check(nonce, "r"));
        Assert.Equal(NonceStatus.Invalid, verifier.Check(nonce, "other-realm"));
        Assert.Equal(NonceStatus.Invalid, new DigestNonceService(new byte[32], TimeSpan.FromMinutes(1), clock).Check(nonce, "r"));
        var tampered = (nonce[0] == 'A' ? 'B' : 'A') + nonce[1..];
        Assert.Equal(NonceStatus.Invalid, verifier.Check(tampered, "r"));
        Assert.Equal(NonceStatus.Invalid, verifier.Check("not-a-nonce", "r"));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(NonceStatus.Stale, verifier.Check(nonce, "r"));
    }

    [Fact]
    public void Credentials_for_another_uri_or_method_do_not_verify()
    {
        var f = new Fixture();
        var request = f.AnsweredRegister("agent1001", "s3cret");
        request.RequestUri = SipUri.Parse("sip:other.example.com");
        Assert.Equal(DigestOutcome.Invalid, f.Server.Verify(request).Outcome);

        var replayed = f.AnsweredRegister("agent1001", "s3cret");
        replayed.Method = SipMethod.Invite;
        Assert.Equal(DigestOutcome.Invalid, f.Server.Verify(replayed).Outcome);
    }

    [Fact]
    public void Proxy_authorization_is_verified_separately()
    {
        var f = new Fixture();
        var request = Fixture.Register();
        var challengeResponse = f.Server.Challenge(request, proxy: true);
        Assert.Equal(407, challengeResponse.StatusCode);
        Assert.True(DigestChallenge.TryParse(challengeResponse.AuthHeaders(HeaderKind.ProxyAuthenticate).Single(), out var challenge));
        request.AddHeader(DigestCredentials.Create(challenge!, request.Method, request.RequestUri.ToString(), "agent1001", "s3cret").ToHeader(proxy: true));
        Assert.Equal(DigestOutcome.Authenticated, f.Server.Verify(request, proxy: true).Outcome);
        Assert.Equal(DigestOutcome.Missing, f.Server.Verify(request).Outcome);
    }
}
