using Routing.Sip.Message;
using Xunit;

namespace Routing.Sip.Tests.Message;

public class SipUriTests
{
    [Fact]
    public void Full_sip_uri_parses_into_its_components()
    {
        var uri = SipUri.Parse("sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=hi%20there&priority=urgent");
        Assert.True(uri.IsSip);
        Assert.True(uri.IsSecure);
        Assert.Equal("alice", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("atlanta.example.com", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", uri.Transport);
        Assert.True(uri.LooseRouting);
        Assert.Equal("239.255.255.1", uri.Maddr);
        Assert.Equal(2, uri.Headers.Count);
        Assert.Equal("hi there", UriEscaping.Unescape(uri.Headers.Get("subject")!));
    }

    [Theory]
    [InlineData("sip:[2001:db8::10]:5070;transport=udp", "[2001:db8::10]", 5070)]
    [InlineData("sip:bob@[::1]", "[::1]", null)]
    [InlineData("sip:[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]", null)]
    [InlineData("sip:192.0.2.4:5060", "192.0.2.4", 5060)]
    public void Ipv6_references_and_ipv4_hosts_parse(string text, string host, int? port)
    {
        var uri = SipUri.Parse(text);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:@host")]
    [InlineData("sip:user@")]
    [InlineData("sip:host:99999")]
    [InlineData("sip:host:")]
    [InlineData("sip:host;=x")]
    [InlineData("sip:host;a=")]
    [InlineData("sip:[::1")]
    [InlineData("sip:[zz]")]
    [InlineData("sip:us er@host")]
    [InlineData("sip:user@host?")]
    [InlineData("sip:user@host?novalue")]
    [InlineData("sip:us%zzer@host")]
    [InlineData("sip:host;lr x")]
    [InlineData("<sip:user@host>")]
    [InlineData("1sip:host")]
    [InlineData("nocolon")]
    [InlineData("tel:")]
    public void Malformed_uris_are_rejected(string text) => Assert.False(SipUri.TryParse(text, out _));

    [Fact]
    public void Non_sip_uris_are_kept_opaque()
    {
        var tel = SipUri.Parse("tel:+1-201-555-0123;phone-context=example.com");
        Assert.False(tel.IsSip);
        Assert.Equal("tel", tel.Scheme);
        Assert.Equal("+1-201-555-0123;phone-context=example.com", tel.Opaque);
        Assert.Equal("tel:+1-201-555-0123;phone-context=example.com", tel.ToString());
    }

    [Fact]
    public void Scheme_is_case_insensitive_and_normalised_for_sip()
    {
        var uri = SipUri.Parse("SIP:ALICE@AtLanTa.CoM;Transport=udp");
        Assert.Equal("sip", uri.Scheme);
        Assert.Equal("udp", uri.Transport);
    }

    // RFC 3261 §19.1.4: the equivalent pairs given in the text.
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    public void Rfc3261_equivalent_uris_are_equal(string a, string b)
    {
        var x = SipUri.Parse(a);
        var y = SipUri.Parse(b);
        Assert.Equal(x, y);
        Assert.Equal(y, x);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
    }

    // RFC 3261 §19.1.4: the non-equivalent pairs given in the text.
    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;x=1", "sip:alice@atlanta.com;x=2")]
    [InlineData("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com")]
    public void Rfc3261_non_equivalent_uris_differ(string a, string b)
    {
        Assert.NotEqual(SipUri.Parse(a), SipUri.Parse(b));
        Assert.NotEqual(SipUri.Parse(b), SipUri.Parse(a));
    }

    [Fact]
    public void Escaping_is_decoded_once_and_as_utf8()
    {
        var uri = SipUri.Parse("sip:J%C3%BCrgen%2525@example.com");
        Assert.Equal("Jürgen%25", uri.UserUnescaped);
    }

    [Fact]
    public void Create_escapes_characters_a_user_part_cannot_hold()
    {
        var uri = SipUri.Create("example.com", "a b@c", 5070);
        Assert.Equal("sip:a%20b%40c@example.com:5070", uri.ToString());
        Assert.Equal("a b@c", SipUri.Parse(uri.ToString()).UserUnescaped);
    }

    [Fact]
    public void Written_form_is_preserved_on_round_trip()
    {
        const string text = "sip:%61lice;x=y@atlanta.com;%6C%72;n%61me=v%61lue%25%34%31?h=%3Cv%3E";
        Assert.Equal(text, SipUri.Parse(text).ToString());
    }
}
