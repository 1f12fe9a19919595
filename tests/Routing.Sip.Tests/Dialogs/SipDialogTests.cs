using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Dialogs;

public class SipDialogTests
{
    private static SipRequest Request(string text) =>
        SipParser.ParseDatagram(text.ReplaceLineEndings("\r\n")).Request ?? throw new InvalidOperationException("bad test message");

    private static SipResponse Response(string text) =>
        SipParser.ParseDatagram(text.ReplaceLineEndings("\r\n")).Response ?? throw new InvalidOperationException("bad test message");

    /// <summary>An INVITE from a caller that reached us through two record-routing proxies (p1 nearest the caller).</summary>
    private static SipRequest InviteThroughProxies() => Request("""
        INVITE sip:1000@gw.example.com SIP/2.0
        Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2
        Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1
        Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKcaller
        Record-Route: <sip:p2.example.com;lr>
        Record-Route: <sip:p1.example.com;lr>
        Max-Forwards: 68
        From: "Caller" <sip:alice@example.com>;tag=caller-tag
        To: <sip:1000@gw.example.com>
        Call-ID: call-uas@example.com
        CSeq: 10 INVITE
        Contact: <sip:alice@10.0.0.5:5062;transport=udp>
        Content-Length: 0


        """);

    private static SipRequest OurInvite() => Request("""
        INVITE sip:2001@192.0.2.20:5070 SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours;rport
        Max-Forwards: 70
        From: <sip:gateway@192.0.2.1>;tag=gw-tag
        To: <sip:2001@192.0.2.20>
        Call-ID: call-uac@192.0.2.1
        CSeq: 7 INVITE
        Contact: <sip:gateway@192.0.2.1:5060>
        Authorization: Digest username="gw", realm="r", nonce="n", uri="sip:2001@192.0.2.20:5070", response="00"
        Content-Length: 0


        """);

    private static SipResponse OkToOurInvite(string contact = "sip:2001@192.0.2.20:5070") => Response($"""
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours;rport=5060
        Record-Route: <sip:edge.example.com;lr>
        Record-Route: <sip:core.example.com;lr>
        From: <sip:gateway@192.0.2.1>;tag=gw-tag
        To: <sip:2001@192.0.2.20>;tag=phone-tag
        Call-ID: call-uac@192.0.2.1
        CSeq: 7 INVITE
        Contact: <{contact}>
        Content-Length: 0


        """);

    [Fact]
    public void Uas_dialog_keeps_the_record_route_order_and_targets_the_callers_contact()
    {
        var dialog = SipDialog.CreateUas(InviteThroughProxies(), "gw-tag", SipUri.Parse("sip:gw@192.0.2.1:5060"));

        Assert.False(dialog.IsUac);
        Assert.Equal(DialogState.Early, dialog.State);
        Assert.Equal(new DialogKey("call-uas@example.com", "gw-tag", "caller-tag"), dialog.Key);
        Assert.Equal(["sip:p2.example.com;lr", "sip:p1.example.com;lr"], dialog.RouteSet.Select(u => u.ToString()));
        Assert.Equal("sip:alice@10.0.0.5:5062;transport=udp", dialog.RemoteTarget.ToString());
        Assert.Equal(10u, dialog.RemoteSequence);

        var bye = dialog.CreateRequest(SipMethod.Bye);
        Assert.Equal("sip:alice@10.0.0.5:5062;transport=udp", bye.RequestUri.ToString());
        Assert.Equal(["sip:p2.example.com;lr", "sip:p1.example.com;lr"], bye.Routes.Select(r => r.Uri.ToString()));
        Assert.Equal("sip:1000@gw.example.com", bye.From!.Uri.ToString());
        Assert.Equal("gw-tag", bye.From.Tag);
        Assert.Equal("sip:alice@example.com", bye.To!.Uri.ToString());
        Assert.Equal("caller-tag", bye.To.Tag);
        Assert.Equal("call-uas@example.com", bye.CallId);
        Assert.Equal(SipMethod.Bye, bye.CSeq!.Method);
        Assert.Equal(70, bye.MaxForwards);
        Assert.Empty(bye.Vias); // the transaction layer adds it
        Assert.Equal(dialog.NextHop, dialog.RouteSet[0]);

        var info = dialog.CreateRequest(SipMethod.Info);
        Assert.Equal(bye.CSeq.Sequence + 1, info.CSeq!.Sequence);
    }

    [Fact]
    public void Uac_dialog_reverses_the_record_route_and_continues_the_invites_cseq()
    {
        var invite = OurInvite();
        var dialog = SipDialog.CreateUac(invite, OkToOurInvite());

        Assert.True(dialog.IsUac);
        Assert.Equal(DialogState.Confirmed, dialog.State);
        Assert.Equal(new DialogKey("call-uac@192.0.2.1", "gw-tag", "phone-tag"), dialog.Key);
        Assert.Equal(["sip:core.example.com;lr", "sip:edge.example.com;lr"], dialog.RouteSet.Select(u => u.ToString()));
        Assert.Null(dialog.RemoteSequence);

        var bye = dialog.CreateRequest(SipMethod.Bye);
        Assert.Equal(8u, bye.CSeq!.Sequence);
        Assert.Equal("sip:2001@192.0.2.20:5070", bye.RequestUri.ToString());
        Assert.Equal(["sip:core.example.com;lr", "sip:edge.example.com;lr"], bye.Routes.Select(r => r.Uri.ToString()));
        Assert.Equal("gw-tag", bye.From!.Tag);
        Assert.Equal("phone-tag", bye.To!.Tag);
        Assert.Empty(bye.Contacts);

        var reinvite = dialog.CreateRequest(SipMethod.Invite);
        Assert.Equal(9u, reinvite.CSeq!.Sequence);
        Assert.Equal("sip:gateway@192.0.2.1:5060", Assert.Single(reinvite.Contacts).Uri.ToString());
    }

    [Fact]
    public void Ack_for_a_2xx_has_the_invites_cseq_number_a_new_branch_the_route_set_and_the_credentials()
    {
        var invite = OurInvite();
        var ok = OkToOurInvite();
        var dialog = SipDialog.CreateUac(invite, ok);
        dialog.CreateRequest(SipMethod.Info); // local CSeq moves on; the ACK still names the INVITE's

        var ack = dialog.CreateAck(ok);

        Assert.Equal(SipMethod.Ack, ack.Method);
        Assert.Equal(7u, ack.CSeq!.Sequence);
        Assert.Equal(SipMethod.Ack, ack.CSeq.Method);
        Assert.Equal("sip:2001@192.0.2.20:5070", ack.RequestUri.ToString());
        Assert.Equal(2, ack.Routes.Count);
        var via = Assert.Single(ack.Vias);
        Assert.True(via.HasRfc3261Branch);
        Assert.NotEqual("z9hG4bKours", via.Branch);
        Assert.Equal("192.0.2.1:5060", via.SentBy);
        Assert.Single(ack.AuthHeaders(HeaderKind.Authorization));
        Assert.Throws<ArgumentException>(() => dialog.CreateAck(Response("""
            SIP/2.0 200 OK
            Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx
            From: <sip:gateway@192.0.2.1>;tag=gw-tag
            To: <sip:2001@192.0.2.20>;tag=phone-tag
            Call-ID: call-uac@192.0.2.1
            CSeq: 8 INFO
            Content-Length: 0


            """)));
    }

    [Fact]
    public void A_strict_router_first_in_the_route_set_gets_the_request_uri_and_the_target_goes_last()
    {
        var invite = InviteThroughProxies();
        invite.RemoveHeaders(HeaderNames.RecordRoute);
        invite.AddHeader(new RecordRouteHeader(SipUri.Parse("sip:strict.example.com")));
        invite.AddHeader(new RecordRouteHeader(SipUri.Parse("sip:loose.example.com;lr")));
        var dialog = SipDialog.CreateUas(invite, "gw-tag", SipUri.Parse("sip:gw@192.0.2.1"));

        var bye = dialog.CreateRequest(SipMethod.Bye);

        Assert.Equal("sip:strict.example.com", bye.RequestUri.ToString());
        Assert.Equal(["sip:loose.example.com;lr", "sip:alice@10.0.0.5:5062;transport=udp"], bye.Routes.Select(r => r.Uri.ToString()));
    }

    [Fact]
    public void A_request_with_a_lower_cseq_than_the_last_gets_500_and_is_not_recorded()
    {
        var dialog = SipDialog.CreateUas(InviteThroughProxies(), "gw-tag", SipUri.Parse("sip:gw@192.0.2.1"));

        Assert.True(dialog.TryAcceptRequest(InDialog(SipMethod.Info, 11), out _));
        Assert.False(dialog.TryAcceptRequest(InDialog(SipMethod.Info, 9), out var rejection));
        Assert.Equal(500, rejection!.StatusCode);
        Assert.Equal("Out of order CSeq", rejection.ReasonPhrase);
        Assert.Equal(11u, dialog.RemoteSequence);
        Assert.True(dialog.TryAcceptRequest(InDialog(SipMethod.Ack, 10), out _)); // ACK keeps the INVITE's CSeq
        Assert.True(dialog.TryAcceptRequest(InDialog(SipMethod.Bye, 12), out _));
        Assert.Equal(12u, dialog.RemoteSequence);
    }

    [Fact]
    public void A_target_refresh_replaces_the_remote_target_and_other_requests_do_not()
    {
        var dialog = SipDialog.CreateUas(InviteThroughProxies(), "gw-tag", SipUri.Parse("sip:gw@192.0.2.1"));

        Assert.True(dialog.TryAcceptRequest(InDialog(SipMethod.Info, 11, "sip:alice@10.0.0.99:5062"), out _));
        Assert.Equal("sip:alice@10.0.0.5:5062;transport=udp", dialog.RemoteTarget.ToString());
        Assert.True(dialog.TryAcceptRequest(InDialog(SipMethod.Invite, 12, "sip:alice@10.0.0.77:5062"), out _));
        Assert.Equal("sip:alice@10.0.0.77:5062", dialog.RemoteTarget.ToString());
        Assert.Equal("sip:alice@10.0.0.77:5062", dialog.CreateRequest(SipMethod.Bye).RequestUri.ToString());

        var uac = SipDialog.CreateUac(OurInvite(), OkToOurInvite());
        var ok = OkToOurInvite("sip:2001@192.0.2.21:5070");
        ok.RemoveHeaders(HeaderNames.CSeq);
        ok.AddHeader(new CSeqHeader(8, SipMethod.Invite)); // the 2xx to our re-INVITE
        uac.OnResponse(ok);
        Assert.Equal("sip:2001@192.0.2.21:5070", uac.RemoteTarget.ToString());
    }

    [Fact]
    public void An_early_dialog_from_a_ringing_response_is_confirmed_by_the_2xx_with_its_route_set()
    {
        var invite = OurInvite();
        var ringing = Response("""
            SIP/2.0 180 Ringing
            Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours;rport=5060
            Record-Route: <sip:early.example.com;lr>
            From: <sip:gateway@192.0.2.1>;tag=gw-tag
            To: <sip:2001@192.0.2.20>;tag=phone-tag
            Call-ID: call-uac@192.0.2.1
            CSeq: 7 INVITE
            Content-Length: 0


            """);
        var dialog = SipDialog.CreateUac(invite, ringing);
        Assert.Equal(DialogState.Early, dialog.State);
        Assert.Equal("sip:2001@192.0.2.20:5070", dialog.RemoteTarget.ToString()); // no Contact yet: the Request-URI
        Assert.Equal(["sip:early.example.com;lr"], dialog.RouteSet.Select(u => u.ToString()));

        dialog.OnResponse(OkToOurInvite("sip:2001@192.0.2.20:5099"));

        Assert.Equal(DialogState.Confirmed, dialog.State);
        Assert.Equal("sip:2001@192.0.2.20:5099", dialog.RemoteTarget.ToString());
        Assert.Equal(["sip:core.example.com;lr", "sip:edge.example.com;lr"], dialog.RouteSet.Select(u => u.ToString()));
    }

    [Fact]
    public void A_481_to_an_in_dialog_request_ends_the_dialog()
    {
        var dialog = SipDialog.CreateUac(OurInvite(), OkToOurInvite());
        var bye = dialog.CreateRequest(SipMethod.Bye);
        dialog.OnResponse(SipResponse.CreateFor(bye, 481));
        Assert.Equal(DialogState.Terminated, dialog.State);
        Assert.Throws<InvalidOperationException>(() => dialog.CreateRequest(SipMethod.Bye));
    }

    [Fact]
    public void An_invite_without_contact_cannot_form_a_dialog_and_says_why()
    {
        var invite = InviteThroughProxies();
        invite.RemoveHeaders(HeaderNames.Contact);
        Assert.Equal("A dialog-forming request needs exactly one Contact URI", SipDialog.DialogProblem(invite));
        var ex = Assert.Throws<ArgumentException>(() => SipDialog.CreateUas(invite, "t", SipUri.Parse("sip:gw@192.0.2.1")));
        Assert.StartsWith("A dialog-forming request needs exactly one Contact URI", ex.Message);
        Assert.Throws<ArgumentException>(() => SipDialog.CreateUac(OurInvite(), SipResponse.CreateFor(OurInvite(), 180))); // no To tag
    }

    [Fact]
    public void The_table_finds_a_dialog_from_the_peers_requests_and_from_responses_to_ours()
    {
        var table = new SipDialogTable();
        var uas = SipDialog.CreateUas(InviteThroughProxies(), "gw-tag", SipUri.Parse("sip:gw@192.0.2.1"));
        var uac = SipDialog.CreateUac(OurInvite(), OkToOurInvite());
        Assert.True(table.TryAdd(uas));
        Assert.True(table.TryAdd(uac));
        Assert.False(table.TryAdd(uac));

        Assert.Same(uas, table.Find(InDialog(SipMethod.Bye, 11)));
        Assert.Same(uac, table.Find(OkToOurInvite()));
        var otherFork = OkToOurInvite();
        otherFork.To!.Tag = "another-phone";
        Assert.Null(table.Find(otherFork));
        Assert.True(table.Remove(uas.Key));
        Assert.Null(table.Find(InDialog(SipMethod.Bye, 11)));
    }

    [Fact]
    public void An_out_of_dialog_request_has_a_from_tag_a_fresh_call_id_and_max_forwards()
    {
        var options = SipRequest.Create(SipMethod.Options, SipUri.Parse("sip:2001@192.0.2.20"), SipUri.Parse("sip:gw@192.0.2.1"),
            SipUri.Parse("sip:2001@192.0.2.20"), SipUri.Parse("sip:gw@192.0.2.1:5060"), cseq: 3);
        var again = SipRequest.Create(SipMethod.Options, options.RequestUri, options.From!.Uri, options.To!.Uri);

        Assert.NotNull(options.From.Tag);
        Assert.Null(options.To.Tag);
        Assert.Equal(70, options.MaxForwards);
        Assert.Equal(3u, options.CSeq!.Sequence);
        Assert.Equal(SipMethod.Options, options.CSeq.Method);
        Assert.NotEqual(options.CallId, again.CallId);
    }

    /// <summary>A request from the caller inside the UAS dialog (their tag in From, ours in To).</summary>
    private static SipRequest InDialog(string method, uint cseq, string? contact = null) => Request($"""
        {method} sip:gw@192.0.2.1 SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK{method}{cseq}
        Max-Forwards: 70
        From: <sip:alice@example.com>;tag=caller-tag
        To: <sip:1000@gw.example.com>;tag=gw-tag
        Call-ID: call-uas@example.com
        CSeq: {cseq} {method}
        {(contact is null ? "X-No-Contact: 1" : $"Contact: <{contact}>")}
        Content-Length: 0


        """);
}
