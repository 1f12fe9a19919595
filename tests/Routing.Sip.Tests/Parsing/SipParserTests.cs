using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Parsing;

public class SipParserTests
{
    internal const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    private static SipParseResult Parse(string text, SipParserOptions? options = null) => SipParser.ParseDatagram(text, options);

    private static SipRequest ParseRequest(string text)
    {
        var result = Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return Assert.IsType<SipRequest>(result.Message);
    }

    private static string WithHeader(string header) => Invite.Replace("Max-Forwards: 70\r\n", $"Max-Forwards: 70\r\n{header}\r\n");

    [Fact]
    public void Typical_invite_parses_with_all_typed_headers()
    {
        var r = ParseRequest(Invite);
        Assert.Equal(SipMethod.Invite, r.Method);
        Assert.Equal("bob", r.RequestUri.User);
        Assert.Equal("z9hG4bK776asdhds", r.TopVia!.Branch);
        Assert.True(r.TopVia.HasRfc3261Branch);
        Assert.Equal(70, r.MaxForwards);
        Assert.Equal("Bob", r.To!.DisplayName);
        Assert.Null(r.To.Tag);
        Assert.Equal("1928301774", r.From!.Tag);
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", r.CallId);
        Assert.Equal((314159u, "INVITE"), (r.CSeq!.Sequence, r.CSeq.Method));
        Assert.Equal("pc33.atlanta.example.com", Assert.Single(r.Contacts).Uri.Host);
        Assert.Equal("v=0\n", Encoding.ASCII.GetString(r.Body.Span));
    }

    [Fact]
    public void Compact_header_forms_map_to_the_long_ones()
    {
        const string text =
            "OPTIONS sip:x@example.com SIP/2.0\r\n" +
            "v: SIP/2.0/UDP h.example.com;branch=z9hG4bKa\r\n" +
            "f: <sip:a@example.com>;tag=1\r\nt: <sip:x@example.com>\r\ni: cid\r\nCSeq: 1 OPTIONS\r\n" +
            "m: <sip:a@h.example.com>\r\nc: text/plain\r\ne: gzip\r\nk: 100rel\r\ns: hello\r\no: presence\r\n" +
            "r: <sip:c@example.com>\r\nb: <sip:d@example.com>\r\nu: dialog\r\nx: 1800\r\na: *;audio\r\nj: *;video\r\nd: proxy\r\n" +
            "y: abc\r\nn: <https://example.com/cert>\r\nl: 0\r\n\r\n";
        var r = ParseRequest(text);
        Assert.NotNull(r.TopVia);
        Assert.Equal("1", r.From!.Tag);
        Assert.Equal("cid", r.CallId);
        Assert.Single(r.Contacts);
        Assert.Equal("text/plain", r.ContentType!.MimeType);
        Assert.Equal(0, r.ContentLength);
        foreach (var (name, value) in new[] { ("Content-Encoding", "gzip"), ("Supported", "100rel"), ("Subject", "hello"),
                     ("Event", "presence"), ("Refer-To", "<sip:c@example.com>"), ("Referred-By", "<sip:d@example.com>"),
                     ("Allow-Events", "dialog"), ("Session-Expires", "1800"), ("Accept-Contact", "*;audio"),
                     ("Reject-Contact", "*;video"), ("Request-Disposition", "proxy"), ("Identity", "abc"),
                     ("Identity-Info", "<https://example.com/cert>") })
            Assert.Equal(value, r.GetHeaderValue(name));
        var written = r.ToString();
        Assert.Contains("\r\nSupported: 100rel\r\n", written);
        Assert.Contains("\r\nCall-ID: cid\r\n", written);
    }

    [Fact]
    public void Header_names_are_case_insensitive()
    {
        var r = ParseRequest(Invite.Replace("Call-ID:", "cALL-iD:").Replace("CSeq:", "CSEQ:").Replace("Max-Forwards", "max-forwards"));
        Assert.Equal(70, r.MaxForwards);
        Assert.Equal(314159u, r.CSeq!.Sequence);
        Assert.Equal(r.CallId, r.GetHeaderValue("i"));
        Assert.Equal(r.CallId, r.GetHeaderValue("CALL-ID"));
    }

    [Fact]
    public void Folded_headers_are_joined_with_a_single_space()
    {
        var r = ParseRequest(WithHeader("Subject: first line\r\n   second line\r\n\tthird"));
        Assert.Equal("first line second line third", r.GetHeaderValue("Subject"));
    }

    [Fact]
    public void Comma_separated_values_become_separate_headers_but_not_inside_quotes_or_brackets()
    {
        var r = ParseRequest(Invite.Replace("Contact: <sip:alice@pc33.atlanta.example.com>",
            "Contact: \"Doe, John\" <sip:a,b@h1.example.com;x=1>;q=0.5, <sip:b@h2.example.com>;expires=60 , sip:c@h3.example.com"));
        var contacts = r.Contacts;
        Assert.Equal(3, contacts.Count);
        Assert.Equal("Doe, John", contacts[0].DisplayName);
        Assert.Equal(0.5, contacts[0].Q);
        Assert.Equal("a,b", contacts[0].Uri.User);
        Assert.Equal(60u, contacts[1].Expires);
        Assert.Equal("h3.example.com", contacts[2].Uri.Host);

        var vias = ParseRequest(WithHeader("Via: SIP/2.0/TCP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK2;rport;received=192.0.2.1"));
        Assert.Equal(3, vias.Vias.Count());
        var v6 = vias.Vias.Last();
        Assert.Equal("[2001:db8::1]", v6.Host);
        Assert.Equal(5070, v6.Port);
        Assert.True(v6.HasRport);
        Assert.Equal("192.0.2.1", v6.Received);
    }

    [Fact]
    public void Via_parameters_are_typed()
    {
        var r = ParseRequest(Invite.Replace("Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
            "Via: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bKx;received=198.51.100.7;rport=40000;maddr=239.1.1.1;ttl=16"));
        var via = r.TopVia!;
        Assert.Equal(5062, via.Port);
        Assert.Equal("198.51.100.7", via.Received);
        Assert.Equal(40000, via.Rport);
        Assert.Equal("239.1.1.1", via.Maddr);
        Assert.Equal(16, via.Ttl);
        Assert.Equal("192.0.2.9:5062", via.SentBy);
    }

    [Theory]
    [InlineData("Via: SIP/2.0/UDP h;ttl=256")]
    [InlineData("Via: SIP/2.0/UDP h;rport=x")]
    [InlineData("Via: SIP/2.0/UDP h;branch=")]
    [InlineData("Via: SIP/2.0/UDP")]
    [InlineData("Via: SIP/2.0 h")]
    [InlineData("Via: SIP/2.0/UDP h:70000")]
    [InlineData("Via: SIP/2.0/UDP h junk")]
    public void Malformed_via_values_get_400(string via)
    {
        var result = Parse(WithHeader(via));
        Assert.Equal(400, result.Error!.StatusCode);
        Assert.Equal("Malformed Via header", result.Error.Reason);
    }

    [Fact]
    public void Contact_star_and_expires_parse()
    {
        const string register =
            "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bKr\r\n" +
            "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: r1\r\nCSeq: 2 REGISTER\r\n" +
            "Contact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n";
        var r = ParseRequest(register);
        Assert.True(Assert.Single(r.Contacts).IsStar);
        Assert.Equal(0u, r.Expires);
        Assert.Contains("Contact: *\r\n", r.ToString());
    }

    [Fact]
    public void Route_and_record_route_keep_their_order()
    {
        var r = ParseRequest(WithHeader("Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nRecord-Route: <sip:rr1.example.com;lr>\r\nRoute: <sip:p3.example.com;lr>"));
        Assert.Equal(["p1.example.com", "p2.example.com", "p3.example.com"], r.Routes.Select(x => x.Uri.Host));
        Assert.Equal("rr1.example.com", Assert.Single(r.RecordRoutes).Uri.Host);
    }

    [Fact]
    public void Authorization_headers_keep_the_raw_text_and_expose_parameters()
    {
        const string auth = "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", uri=\"sip:bob@biloxi.com\", response=\"6629fae4\", qop=auth, nc=00000001, cnonce=\"0a4f113b\"";
        var r = ParseRequest(WithHeader($"Authorization: {auth}\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"y\""));
        var header = Assert.Single(r.AuthHeaders(HeaderKind.Authorization));
        Assert.Equal(auth, header.RawValue);
        Assert.Equal("Digest", header.Scheme);
        Assert.Equal("bob", header.Get("username"));
        Assert.Equal("auth", header.Get("qop"));
        Assert.Equal("00000001", header.Get("nc"));
        Assert.Equal("x", Assert.Single(r.AuthHeaders(HeaderKind.WwwAuthenticate)).Get("realm"));
        Assert.Contains($"Authorization: {auth}\r\n", r.ToString());
    }

    [Fact]
    public void Unknown_headers_are_kept_raw_in_order_with_their_spelling()
    {
        var r = ParseRequest(WithHeader("X-First: 1\r\nx-second: two, three\r\nX-First: 4"));
        var raw = r.Headers.OfType<RawHeader>().Where(h => h.Name.StartsWith('X') || h.Name.StartsWith('x')).ToList();
        Assert.Equal(["X-First", "x-second", "X-First"], raw.Select(h => h.Name));
        Assert.Equal(["1", "4"], r.GetHeaders("x-first").Select(h => h.Value));
        Assert.Equal(["two", "three"], r.GetHeaderValues("X-Second"));
    }

    [Fact]
    public void Extra_whitespace_around_colons_and_values_is_ignored()
    {
        var r = ParseRequest(Invite.Replace("CSeq: 314159 INVITE", "CSeq   :    314159     INVITE   ").Replace("Max-Forwards: 70", "Max-Forwards\t:\t70\t"));
        Assert.Equal(314159u, r.CSeq!.Sequence);
        Assert.Equal(70, r.MaxForwards);
    }

    [Fact]
    public void Leading_crlfs_and_bare_lf_line_endings_are_tolerated()
    {
        var r = ParseRequest("\r\n\r\n" + Invite.Replace("\r\n", "\n"));
        Assert.Equal(314159u, r.CSeq!.Sequence);
        Assert.Equal(4, r.Body.Length);
    }

    [Fact]
    public void Response_status_line_parses()
    {
        var result = Parse("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        var response = Assert.IsType<SipResponse>(result.Message);
        Assert.Equal(180, response.StatusCode);
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.Equal("2", response.To!.Tag);
    }

    [Theory]
    [InlineData("INVITE sip:bob@biloxi.example.com SIP/3.0", 505)]
    [InlineData("INVITE sip:bob@biloxi.example.com SIP/2.0.1", 400)]
    [InlineData("INVITE sip:bob@biloxi.example.com HTTP/1.1", 400)]
    [InlineData("INVITE sip:bob@biloxi.example.com", 400)]
    [InlineData("INVITE  sip:bob@biloxi.example.com SIP/2.0", 400)]
    [InlineData("INV@ITE sip:bob@biloxi.example.com SIP/2.0", 400)]
    [InlineData("INVITE mailto:bob@biloxi.example.com SIP/2.0", 416)]
    [InlineData("INVITE sip:bob@biloxi.example.com?Subject=x SIP/2.0", 400)]
    public void Bad_request_lines_get_the_right_status(string requestLine, int status)
    {
        var result = Parse(Invite.Replace("INVITE sip:bob@biloxi.example.com SIP/2.0", requestLine));
        Assert.Equal(status, result.Error!.StatusCode);
    }

    [Fact]
    public void Version_is_case_insensitive()
    {
        Assert.True(Parse(Invite.Replace(" SIP/2.0\r\n", " sip/2.0\r\n")).IsSuccess);
    }

    [Theory]
    [InlineData("CSeq: 4294967296 INVITE")]
    [InlineData("CSeq: INVITE")]
    [InlineData("CSeq: 1")]
    [InlineData("CSeq: 1 INVITE extra")]
    [InlineData("Max-Forwards: 256")]
    [InlineData("Max-Forwards: -1")]
    [InlineData("Content-Length: five")]
    [InlineData("Content-Length: 99999999999")]
    [InlineData("Call-ID: has space")]
    [InlineData("Call-ID: ")]
    [InlineData("From: <sip:alice@atlanta.example.com")]
    [InlineData("From: \"unterminated <sip:a@b>")]
    [InlineData("From: <sip:a@b>;;tag=1")]
    [InlineData("From: <sip:a@b> junk")]
    [InlineData("Content-Type: text")]
    [InlineData("Contact: <sip:a@b>;q=2")]
    public void Malformed_typed_headers_get_400(string header)
    {
        var name = header[..header.IndexOf(':')];
        var text = string.Join("\r\n", Invite.Split("\r\n").Select(l => l.StartsWith(name + ":", StringComparison.Ordinal) ? header : l));
        if (!text.Contains(header)) text = WithHeader(header);
        var result = Parse(text);
        Assert.False(result.IsSuccess, header);
        Assert.Equal(400, result.Error!.StatusCode);
    }

    [Fact]
    public void Malformed_contact_q_is_rejected_but_a_valid_one_is_read()
    {
        Assert.Equal(1.0, ParseRequest(Invite.Replace("Contact: <sip:alice@pc33.atlanta.example.com>", "Contact: <sip:a@b>;q=1.000")).Contacts[0].Q);
    }

    [Fact]
    public void Expires_beyond_32_bits_saturates()
    {
        Assert.Equal(uint.MaxValue, ParseRequest(WithHeader("Expires: 99999999999999999999")).Expires);
    }

    [Fact]
    public void Missing_headers_get_400_naming_them()
    {
        var result = Parse(Invite.Replace("Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n", ""));
        Assert.Equal(400, result.Error!.StatusCode);
        Assert.Equal("Missing Call-ID", result.Error.Reason);
    }

    [Fact]
    public void Body_larger_than_the_limit_gets_413_and_header_section_larger_gets_513()
    {
        var options = new SipParserOptions { MaxBodyBytes = 3 };
        Assert.Equal(413, Parse(Invite, options).Error!.StatusCode);
        var big = WithHeader("X-Big: " + new string('a', 20_000));
        Assert.Equal(513, Parse(big).Error!.StatusCode);
    }

    [Fact]
    public void Datagram_without_content_length_takes_the_rest_as_body()
    {
        var r = ParseRequest(Invite.Replace("Content-Length: 4\r\n", ""));
        Assert.Equal("v=0\n", Encoding.ASCII.GetString(r.Body.Span));
    }

    [Fact]
    public void Error_keeps_the_headers_needed_to_answer()
    {
        var result = Parse(Invite.Replace("Max-Forwards: 70", "Max-Forwards: 700"));
        var error = result.Error!;
        Assert.True(error.CanRespond);
        var answer = error.CreateResponse("totag");
        Assert.Equal(400, answer.StatusCode);
        Assert.Equal("z9hG4bK776asdhds", answer.TopVia!.Branch);
        Assert.Equal("totag", answer.To!.Tag);
        Assert.Equal("1928301774", answer.From!.Tag);
        Assert.Equal(314159u, answer.CSeq!.Sequence);
        Assert.Null(answer.MaxForwards);
    }

    [Fact]
    public void Errors_in_ack_and_in_responses_are_never_answered()
    {
        var ack = Invite.Replace("INVITE sip:bob@biloxi.example.com SIP/2.0", "ACK sip:bob@biloxi.example.com SIP/2.0")
            .Replace("CSeq: 314159 INVITE", "CSeq: 314159 ACK").Replace("Max-Forwards: 70", "Max-Forwards: 999");
        Assert.False(Parse(ack).Error!.CanRespond);
        Assert.False(Parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n").Error!.CanRespond);
    }

    [Fact]
    public void Serializer_writes_canonical_names_one_value_per_line_and_recomputes_content_length()
    {
        var r = ParseRequest(Invite.Replace("Content-Length: 4", "l: 4").Replace("Via: ", "v: "));
        r.Body = Encoding.ASCII.GetBytes("v=0\r\no=x\r\n");
        var text = r.ToString();
        Assert.Contains("\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n", text);
        Assert.Contains("\r\nContent-Length: 10\r\n\r\nv=0\r\no=x\r\n", text);
        Assert.DoesNotContain("l: 4", text);
        var again = ParseRequest(text);
        Assert.Equal(10, again.ContentLength);
    }

    [Fact]
    public void Building_a_message_from_typed_headers_serializes_and_parses_back()
    {
        var request = new SipRequest(SipMethod.Options, SipUri.Parse("sip:carol@chicago.example.com"));
        request.AddHeader(new ViaHeader("UDP", "192.0.2.1", 5060, SipRequest.NewBranch()));
        request.AddHeader(new MaxForwardsHeader(70));
        request.AddHeader(new FromHeader(SipUri.Parse("sip:alice@atlanta.example.com"), "Alice \"Al\" Smith", "t1"));
        request.AddHeader(new ToHeader(SipUri.Parse("sip:carol@chicago.example.com")));
        request.AddHeader(new CallIdHeader("abc@192.0.2.1"));
        request.AddHeader(new CSeqHeader(1, SipMethod.Options));
        request.AddHeader("Accept", "application/sdp");
        var parsed = ParseRequest(request.ToString());
        Assert.Equal("Alice \"Al\" Smith", parsed.From!.DisplayName);
        Assert.Equal("t1", parsed.From.Tag);
        Assert.Equal(0, parsed.ContentLength);
        Assert.Equal("application/sdp", parsed.GetHeaderValue("Accept"));
    }

    [Fact]
    public void Response_for_a_request_copies_the_transaction_headers_and_does_not_alias_them()
    {
        var request = ParseRequest(Invite);
        var response = SipResponse.CreateFor(request, 486, null, "xyz");
        Assert.Equal("Busy Here", response.ReasonPhrase);
        Assert.Equal("xyz", response.To!.Tag);
        Assert.Null(request.To!.Tag);
        Assert.Equal(request.CallId, response.CallId);
        Assert.Null(SipResponse.CreateFor(request, 100, null, "xyz").To!.Tag);
    }
}
