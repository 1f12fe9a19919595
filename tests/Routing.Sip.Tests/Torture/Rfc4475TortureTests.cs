using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Torture;

/// <summary>
/// RFC 4475 §3: every torture message with the outcome the RFC asks for. Where the RFC leaves the decision to a
/// layer above the parser (transaction layer, registrar, UAS), the parser must accept the message and expose
/// exactly what that layer needs; the test says which layer and asserts that.
/// </summary>
public class Rfc4475TortureTests
{
    private static SipParseResult Parse(string name, SipParserOptions? options = null) =>
        SipParser.ParseDatagram(TortureCorpus.Get(name), options);

    private static SipRequest Request(string name)
    {
        var result = Parse(name);
        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        return Assert.IsType<SipRequest>(result.Message);
    }

    private static SipResponse Response(string name)
    {
        var result = Parse(name);
        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        return Assert.IsType<SipResponse>(result.Message);
    }

    private static SipParseError Rejected(string name, int status, SipParserOptions? options = null)
    {
        var result = Parse(name, options);
        Assert.False(result.IsSuccess, $"{name} should be rejected");
        Assert.Equal(status, result.Error!.StatusCode);
        return result.Error;
    }

    [Fact]
    public void Corpus_holds_all_49_messages_with_their_declared_lengths()
    {
        Assert.Equal(49, TortureCorpus.All.Count);
        foreach (var entry in TortureCorpus.All.Values)
            Assert.True(entry.Bytes.Length == entry.DeclaredLength, $"{entry.Name}: {entry.Bytes.Length} != {entry.DeclaredLength}");
    }

    [Fact]
    public void No_torture_message_makes_the_parser_or_the_framer_throw()
    {
        foreach (var entry in TortureCorpus.All.Values)
        {
            _ = SipParser.ParseDatagram(entry.Bytes);
            var framer = new SipStreamFramer();
            framer.Append(entry.Bytes);
            while (framer.TryRead(out _) == SipFrameStatus.Frame) { }
        }
    }

    // ---- 3.1.1 Valid messages -------------------------------------------------------------------------------

    [Fact]
    public void S3_1_1_1_wsinv_short_tortuous_invite_parses_with_folding_compact_forms_and_odd_whitespace()
    {
        var r = Request("wsinv");
        Assert.Equal("INVITE", r.Method);
        Assert.Equal("vivekg", r.RequestUri.User);
        Assert.Equal("chair-dnrc.example.com", r.RequestUri.Host);
        Assert.True(r.RequestUri.HasParameter("unknownparam"));
        Assert.Equal("1918181833n", r.To!.Tag);
        Assert.Null(r.To.DisplayName);
        Assert.Equal("J Rosenberg \\\"", r.From!.DisplayName);
        Assert.Equal("98asjd8", r.From.Tag);
        Assert.Equal(68, r.MaxForwards);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", r.CallId);
        Assert.Equal(9u, r.CSeq!.Sequence);
        Assert.Equal("INVITE", r.CSeq.Method);
        Assert.Equal(150, r.Body.Length);

        var vias = r.Vias.ToList();
        Assert.Equal(3, vias.Count);
        Assert.Equal(("UDP", "192.0.2.2", "390skdjuw"), (vias[0].Transport, vias[0].Host, vias[0].Branch));
        Assert.Equal(("TCP", "spindle.example.com", "z9hG4bK9ikj8"), (vias[1].Transport, vias[1].Host, vias[1].Branch));
        Assert.Equal(("UDP", "192.168.255.111", "z9hG4bK30239"), (vias[2].Transport, vias[2].Host, vias[2].Branch));

        Assert.Equal("", r.GetHeaderValue("Subject"));
        Assert.Equal("newfangled value continued newfangled value", r.GetHeaderValue("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", r.GetHeaderValue("UnknownHeaderWithUnusualValue"));
        Assert.True(r.ContentType!.Is("application", "sdp"));
        var route = Assert.Single(r.Routes);
        Assert.True(route.Uri.LooseRouting);
        Assert.Equal("value", route.Uri.GetParameter("unknownwith"));

        var contact = Assert.Single(r.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("jdrosen", contact.Uri.User);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal(0.33, contact.Q);
    }

    [Fact]
    public void S3_1_1_2_intmeth_unknown_method_and_wide_range_of_valid_characters_parse()
    {
        var r = Request("intmeth");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", r.Method);
        Assert.False(SipMethod.IsKnown(r.Method));
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", r.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", r.RequestUri.Password);
        Assert.Equal("example.com", r.RequestUri.Host);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", r.TopVia!.Branch);
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7f", r.To!.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", r.From!.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", r.From.Tag);
        Assert.Equal("работающий", r.From.Parameters.GetUnquoted("fromParam''~+*_!.-%"));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", r.CallId);
        Assert.Equal(r.Method, r.CSeq!.Method);
        Assert.Equal(255, r.MaxForwards);
        Assert.Equal("\uFEFF大停電", r.GetHeaderValue("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void S3_1_1_3_esc01_escaped_characters_in_uris_are_equivalent_to_their_expansion()
    {
        var r = Request("esc01");
        Assert.Equal("sips:user@example.com", r.RequestUri.UserUnescaped);
        Assert.Equal("example.net", r.RequestUri.Host);
        Assert.Equal("user", r.To!.Uri.UserUnescaped);
        Assert.Equal(SipUri.Parse("sip:user@example.com"), r.To.Uri);
        Assert.Equal("I have spaces", r.From!.Uri.UserUnescaped);
        var contact = Assert.Single(r.Contacts).Uri;
        Assert.Equal("caller", contact.UserUnescaped);
        Assert.True(contact.HasParameter("lr"));
        Assert.Equal("value%41", contact.GetParameter("name")); // never unescaped twice
        Assert.True(r.ContentType!.Is("application", "sdp"));
    }

    [Fact]
    public void S3_1_1_4_escnull_escaped_nulls_do_not_shorten_the_user_and_give_two_distinct_contacts()
    {
        var r = Request("escnull");
        Assert.Equal("null-\0-null", r.To!.Uri.UserUnescaped);
        Assert.Equal("null-\0-null", r.From!.Uri.UserUnescaped);
        Assert.Equal(2, r.Contacts.Count);
        Assert.Equal("\0", r.Contacts[0].Uri.UserUnescaped);
        Assert.Equal("\0\0", r.Contacts[1].Uri.UserUnescaped);
        Assert.NotEqual(r.Contacts[0].Uri, r.Contacts[1].Uri);
    }

    [Fact]
    public void S3_1_1_5_esc02_percent_is_not_an_escape_in_methods_header_names_or_display_names()
    {
        var r = Request("esc02");
        Assert.Equal("RE%47IST%45R", r.Method);
        Assert.NotEqual(SipMethod.Register, r.Method); // a UAS answers 501
        Assert.Equal("%Z%45", r.To!.DisplayName);
        Assert.Equal("%Z%45", r.From!.DisplayName);
        Assert.Equal("z9hG4bK209%fzsnel234", r.TopVia!.Branch);
        Assert.Equal(2, r.Contacts.Count);
        Assert.Equal("<sip:alias2@host2.example.com>", r.GetHeaderValue("C%6Fntact"));
    }

    [Fact]
    public void S3_1_1_6_lwsdisp_display_name_without_space_before_angle_bracket_is_accepted()
    {
        var r = Request("lwsdisp");
        Assert.Equal("caller", r.From!.DisplayName);
        Assert.Equal("caller", r.From.Uri.User);
        Assert.Equal("323", r.From.Tag);
    }

    [Fact]
    public void S3_1_1_7_longreq_long_values_and_34_vias_in_every_spelling_parse()
    {
        var r = Request("longreq");
        var vias = r.Vias.ToList();
        Assert.Equal(34, vias.Count);
        Assert.Equal("sip33.example.com", vias[0].Host);
        Assert.Equal("host.example.com", vias[^1].Host);
        Assert.Equal("192.0.2.5", vias[^1].Received);
        Assert.StartsWith("verylonglong", vias[^1].Branch);
        Assert.Equal(6000, r.To!.Uri.Port);
        Assert.StartsWith("I have a user name of extreme", r.To.DisplayName);
        Assert.StartsWith("amazinglylongcallername", r.From!.Uri.User);
        Assert.StartsWith("longreq.onereallyreally", r.CallId);
        Assert.Equal(150, r.Body.Length);
    }

    [Fact]
    public void S3_1_1_8_dblreq_octets_after_content_length_in_a_datagram_are_ignored()
    {
        var r = Request("dblreq");
        Assert.Equal(SipMethod.Register, r.Method);
        Assert.Equal("dblreq.0ha0isndaksdj99sdfafnl3lk233412", r.CallId);
        Assert.Equal(0, r.Body.Length);
        Assert.DoesNotContain("INVITE sip:joe", r.ToString());
    }

    [Fact]
    public void S3_1_1_9_semiuri_semicolons_in_the_user_part_belong_to_the_user()
    {
        var r = Request("semiuri");
        Assert.Equal("user;par=u@example.net", r.RequestUri.UserUnescaped);
        Assert.Equal("example.com", r.RequestUri.Host);
        Assert.Empty(r.RequestUri.Parameters);
        Assert.Equal(6, r.GetHeaderValues("Accept").Count);
    }

    [Fact]
    public void S3_1_1_10_transports_unknown_and_less_common_via_transports_parse()
    {
        var r = Request("transports");
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], r.Vias.Select(v => v.Transport));
        Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", r.CallId);
    }

    [Fact]
    public void S3_1_1_11_mpart01_multipart_binary_body_is_kept_octet_for_octet()
    {
        var r = Request("mpart01");
        Assert.Equal("MESSAGE", r.Method);
        Assert.Equal(553, r.Body.Length);
        Assert.Equal("boundary=7a9cbec02ceef655", $"boundary={r.ContentType!.Parameters.Get("boundary")}");
        Assert.True(r.TopVia!.HasRport);
        Assert.Null(r.TopVia.Rport);
        var bytes = TortureCorpus.Get("mpart01");
        Assert.True(bytes.AsSpan(bytes.Length - 553).SequenceEqual(r.Body.Span));
    }

    [Fact]
    public void S3_1_1_12_unreason_utf8_reason_phrase_is_accepted()
    {
        var r = Response("unreason");
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", r.ReasonPhrase);
    }

    [Fact]
    public void S3_1_1_13_noreason_empty_reason_phrase_is_accepted()
    {
        var r = Response("noreason");
        Assert.Equal(100, r.StatusCode);
        Assert.Equal("", r.ReasonPhrase);
    }

    // ---- 3.1.2 Invalid messages -----------------------------------------------------------------------------

    [Fact]
    public void S3_1_2_1_badinv01_extraneous_separators_in_via_and_contact_get_400()
    {
        var e = Rejected("badinv01", 400);
        Assert.Contains("Via", e.Reason);
        Assert.True(e.CanRespond); // the malformed Via is kept raw; the answer goes to the source address
    }

    [Fact]
    public void S3_1_2_2_clerr_content_length_larger_than_datagram_gets_400_and_a_stream_waits_for_more()
    {
        Rejected("clerr", 400);
        var framer = new SipStreamFramer();
        framer.Append(TortureCorpus.Get("clerr"));
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.TryRead(out _));
    }

    [Fact]
    public void S3_1_2_3_ncl_negative_content_length_gets_400_and_breaks_a_stream()
    {
        Rejected("ncl", 400);
        var framer = new SipStreamFramer();
        framer.Append(TortureCorpus.Get("ncl"));
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out var result));
        Assert.True(result.Error!.BreaksFraming);
    }

    [Fact]
    public void S3_1_2_4_scalar02_cseq_beyond_2_pow_32_gets_400()
    {
        var e = Rejected("scalar02", 400);
        Assert.Contains("CSeq", e.Reason);
    }

    [Fact]
    public void S3_1_2_5_scalarlg_response_with_overlarge_scalars_is_dropped_not_answered()
    {
        var result = Parse("scalarlg");
        Assert.False(result.IsSuccess);
        Assert.False(result.Error!.IsRequest);
        Assert.False(result.Error.CanRespond);
    }

    [Fact]
    public void S3_1_2_6_quotbal_unterminated_quote_gets_400()
    {
        var e = Rejected("quotbal", 400);
        Assert.Contains("To", e.Reason);
    }

    [Fact]
    public void S3_1_2_7_ltgtruri_request_uri_in_angle_brackets_gets_400() => Rejected("ltgtruri", 400);

    [Fact]
    public void S3_1_2_8_lwsruri_whitespace_inside_the_request_uri_gets_400() => Rejected("lwsruri", 400);

    [Fact]
    public void S3_1_2_9_lwsstart_multiple_spaces_in_the_request_line_get_400() => Rejected("lwsstart", 400);

    [Fact]
    public void S3_1_2_10_trws_trailing_spaces_after_the_version_get_400() => Rejected("trws", 400);

    [Fact]
    public void S3_1_2_11_escruri_escaped_headers_in_the_request_uri_get_400()
    {
        var e = Rejected("escruri", 400);
        Assert.Contains("Request-URI", e.Reason);
        Assert.True(e.CanRespond);
    }

    [Fact]
    public void S3_1_2_12_baddate_non_gmt_date_is_left_to_the_layer_that_uses_the_date()
    {
        // The RFC advises rejecting only when Date matters: the parser keeps Date raw, SipDate refuses non-GMT zones.
        var r = Request("baddate");
        Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", r.GetHeaderValue("Date"));
        Assert.False(SipDate.TryParse(r.GetHeaderValue("Date")!, out _));
        Assert.True(SipDate.TryParse("Fri, 01 Jan 2010 16:00:00 GMT", out var gmt));
        Assert.Equal(new DateTimeOffset(2010, 1, 1, 16, 0, 0, TimeSpan.Zero), gmt);
    }

    [Fact]
    public void S3_1_2_13_regbadct_contact_with_uri_headers_outside_angle_brackets_gets_400()
    {
        var e = Rejected("regbadct", 400);
        Assert.Contains("Contact", e.Reason);
    }

    [Fact]
    public void S3_1_2_14_badaspec_spaces_inside_angle_brackets_get_400()
    {
        var e = Rejected("badaspec", 400);
        Assert.Contains("To", e.Reason);
    }

    [Fact]
    public void S3_1_2_15_baddn_unquoted_display_name_with_non_token_characters_gets_400()
    {
        var e = Rejected("baddn", 400);
        Assert.Contains("From", e.Reason);
    }

    [Fact]
    public void S3_1_2_16_badvers_unknown_protocol_version_gets_505()
    {
        var e = Rejected("badvers", 505);
        Assert.True(e.CanRespond);
        var answer = e.CreateResponse();
        Assert.Equal("badvers.31417@c.example.com", answer.CallId);
    }

    [Fact]
    public void S3_1_2_17_mismatch01_cseq_method_differs_from_request_method_gets_400() => Rejected("mismatch01", 400);

    [Fact]
    public void S3_1_2_18_mismatch02_unknown_method_with_mismatched_cseq_gets_501() => Rejected("mismatch02", 501);

    [Fact]
    public void S3_1_2_19_bigcode_status_code_above_699_is_dropped()
    {
        var result = Parse("bigcode");
        Assert.False(result.IsSuccess);
        Assert.False(result.Error!.CanRespond);
    }

    // ---- 3.2 Transaction layer semantics ----------------------------------------------------------------------

    [Fact]
    public void S3_2_1_badbranch_magic_cookie_alone_parses_and_the_transaction_layer_falls_back_to_rfc2543_matching()
    {
        var r = Request("badbranch");
        Assert.Equal("z9hG4bK", r.TopVia!.Branch);
        Assert.False(r.TopVia.HasRfc3261Branch);
        var key = Routing.Sip.Transactions.TransactionKey.ForServer(r);
        Assert.False(key.IsRfc3261);
    }

    // ---- 3.3 Application layer semantics ----------------------------------------------------------------------

    [Fact]
    public void S3_3_1_insuf_missing_call_id_from_to_gets_400_that_can_still_be_answered()
    {
        var e = Rejected("insuf", 400);
        Assert.Contains("Call-ID", e.Reason);
        Assert.Contains("From", e.Reason);
        Assert.Contains("To", e.Reason);
        Assert.True(e.CanRespond);
        Assert.Equal(193942u, e.CreateResponse().CSeq!.Sequence);
    }

    [Fact]
    public void S3_3_2_unkscm_unknown_request_uri_scheme_gets_416()
    {
        var e = Rejected("unkscm", 416);
        Assert.True(e.CanRespond);
        // A proxy that routes any scheme can switch the check off and see the opaque URI.
        var r = SipParser.ParseDatagram(TortureCorpus.Get("unkscm"), new SipParserOptions { SupportedUriSchemes = null });
        Assert.Equal("nobodyKnowsThisScheme", r.Request!.RequestUri.Scheme);
        Assert.Equal("totallyopaquecontent", r.Request.RequestUri.Opaque);
    }

    [Fact]
    public void S3_3_3_novelsc_registered_but_unsupported_scheme_gets_416() => Rejected("novelsc", 416);

    [Fact]
    public void S3_3_4_unksm2_non_sip_uris_in_to_from_contact_parse_and_the_registrar_rejects_the_aor()
    {
        var r = Request("unksm2");
        Assert.Equal("isbn", r.To!.Uri.Scheme);
        Assert.False(r.To.Uri.IsSip); // registrar layer: 400, an AOR must be a SIP or SIPS URI
        Assert.Equal("http", r.From!.Uri.Scheme);
        Assert.Equal("name", Assert.Single(r.Contacts).Uri.Scheme);
    }

    [Fact]
    public void S3_3_5_bext01_unknown_required_extensions_get_420_with_unsupported_at_a_uas()
    {
        Assert.True(Parse("bext01").IsSuccess); // a proxy that does not check Require forwards it
        var uas = new SipParserOptions { SupportedExtensions = new HashSet<string> { "100rel", "timer" } };
        var e = Rejected("bext01", 420, uas);
        Assert.Equal("nothingSupportsThis, nothingSupportsThisEither", e.CreateResponse().GetHeaderValue("Unsupported"));
        var proxy = new SipParserOptions { ProxySupportedExtensions = new HashSet<string>() };
        var p = Rejected("bext01", 420, proxy);
        Assert.Equal("noProxiesSupportThis, norDoAnyProxiesSupportThis", p.CreateResponse().GetHeaderValue("Unsupported"));
    }

    [Fact]
    public void S3_3_6_invut_unknown_content_type_parses_and_the_uas_answers_415()
    {
        var r = Request("invut");
        Assert.Equal("application/unknownformat", r.ContentType!.MimeType);
        Assert.Equal(40, r.Body.Length);
    }

    [Fact]
    public void S3_3_7_regaut01_unknown_authorization_scheme_parses_and_the_registrar_challenges()
    {
        var r = Request("regaut01");
        var auth = Assert.Single(r.AuthHeaders(HeaderKind.Authorization));
        Assert.Equal("NoOneKnowsThisScheme", auth.Scheme);
        Assert.Equal("here", auth.Get("opaque-data"));
        Assert.False(Routing.Sip.Auth.DigestCredentials.TryParse(auth, out _)); // not Digest: answer 401
    }

    [Fact]
    public void S3_3_8_multi01_repeated_single_value_headers_get_400()
    {
        var e = Rejected("multi01", 400);
        Assert.Contains("Multiple", e.Reason);
    }

    [Fact]
    public void S3_3_9_mcl01_repeated_content_length_gets_400_and_breaks_a_stream()
    {
        Rejected("mcl01", 400);
        var framer = new SipStreamFramer();
        framer.Append(TortureCorpus.Get("mcl01"));
        Assert.Equal(SipFrameStatus.Broken, framer.TryRead(out _));
    }

    [Fact]
    public void S3_3_10_bcast_broadcast_via_parses_and_the_transport_must_not_send_there()
    {
        var r = Response("bcast");
        Assert.Equal("255.255.255.255", r.Vias.ElementAt(1).Host);
    }

    [Fact]
    public void S3_3_11_zeromf_max_forwards_zero_parses_and_the_proxy_answers_483()
    {
        var r = Request("zeromf");
        Assert.Equal(0, r.MaxForwards);
        Assert.Equal(SipMethod.Options, r.Method);
    }

    [Fact]
    public void S3_3_12_cparam01_parameter_after_addr_spec_contact_is_a_header_parameter()
    {
        var c = Assert.Single(Request("cparam01").Contacts);
        Assert.True(c.Parameters.Contains("unknownparam"));
        Assert.False(c.Uri.HasParameter("unknownparam"));
        Assert.Equal("+19725552222", c.Uri.User);
    }

    [Fact]
    public void S3_3_13_cparam02_parameter_inside_angle_brackets_is_a_uri_parameter()
    {
        var c = Assert.Single(Request("cparam02").Contacts);
        Assert.False(c.Parameters.Contains("unknownparam"));
        Assert.True(c.Uri.HasParameter("unknownparam"));
    }

    [Fact]
    public void S3_3_14_regescrt_escaped_header_in_a_bracketed_contact_uri_is_kept()
    {
        var c = Assert.Single(Request("regescrt").Contacts);
        var header = Assert.Single(c.Uri.Headers);
        Assert.Equal("Route", header.Name);
        Assert.Equal("<sip:sip.example.com>", UriEscaping.Unescape(header.Value!));
    }

    [Fact]
    public void S3_3_15_sdp01_unacceptable_accept_parses_and_the_uas_answers_406()
    {
        var r = Request("sdp01");
        Assert.Equal(["text/nobodyKnowsThis"], r.GetHeaderValues("Accept"));
        Assert.True(r.ContentType!.Is("application", "sdp"));
    }

    // ---- 3.4 Backward compatibility ---------------------------------------------------------------------------

    [Fact]
    public void S3_4_1_inv2543_rfc2543_request_without_branch_or_max_forwards_is_accepted()
    {
        var r = Request("inv2543");
        Assert.Null(r.TopVia!.Branch);
        Assert.Null(r.MaxForwards);
        Assert.Equal("UserB", r.RequestUri.User);
        Assert.Equal("ss1.example.com", Assert.Single(r.RecordRoutes).Uri.Maddr);
        Assert.Equal("phone", r.From!.Uri.GetParameter("user")); // inside <>: a URI parameter
        Assert.Equal("phone", r.To!.Parameters.Get("user"));     // after a bare addr-spec: a header parameter
        Assert.Equal(Encoding.ASCII.GetByteCount("v=0\r\n") > 0, r.Body.Length > 0); // body runs to the end of the datagram
        Assert.False(Routing.Sip.Transactions.TransactionKey.ForServer(r).IsRfc3261);
    }

    [Fact]
    public void Every_valid_torture_message_survives_a_serialize_and_reparse_round_trip()
    {
        string[] valid = ["wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
            "transports", "mpart01", "unreason", "noreason", "badbranch", "unksm2", "invut", "regaut01", "bcast",
            "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543", "baddate", "bext01"];
        foreach (var name in valid)
        {
            var first = Parse(name).Message!;
            var bytes = first.ToBytes();
            var second = SipParser.ParseDatagram(bytes);
            Assert.True(second.IsSuccess, $"{name}: {second.Error}");
            Assert.Equal(first.ToString(), second.Message!.ToString());
            Assert.Equal(first.Headers.Count(h => h.Kind != HeaderKind.ContentLength),
                second.Message.Headers.Count(h => h.Kind != HeaderKind.ContentLength));
            Assert.True(first.Body.Span.SequenceEqual(second.Message.Body.Span), name);
        }
    }
}
