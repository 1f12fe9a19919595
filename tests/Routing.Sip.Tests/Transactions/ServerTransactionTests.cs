using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Xunit;
using static Routing.Sip.Tests.Transactions.TransactionHarness;

namespace Routing.Sip.Tests.Transactions;

public class ServerTransactionTests
{
    private static byte[] FirstSent(TransactionHarness h, string method) =>
        h.Network.Log.First(d => d.Message is SipRequest r && r.Method == method).Bytes;

    [Fact]
    public void Server_invite_retransmits_a_non_2xx_final_on_Timer_G_capped_at_T2_until_Timer_H()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(480));
        h.Network.Drop = d => d.Message is SipRequest { Method: SipMethod.Ack }; // the ACK never arrives
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var server = (ServerInviteTransaction)h.UasUser.Requests.Single().Transaction;

        h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal(TransactionState.Completed, server.State);
        h.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], h.SendTimes((_, m) => IsResponse(m, 480)));
        Assert.Equal(TransactionState.Terminated, server.State);
        Assert.Equal(TerminationReason.NoAck, server.TerminationReason);
        Assert.Contains(server, h.UasUser.Terminated);
    }

    [Fact]
    public void Ack_stops_retransmissions_and_Timer_I_ends_the_confirmed_state()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(603));
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var server = h.UasUser.Requests.Single().Transaction;
        Assert.Equal(TransactionState.Confirmed, server.State);

        h.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(TransactionState.Confirmed, server.State);
        Assert.Single(h.SendTimes((_, m) => IsResponse(m, 603)));
        h.Advance(TimeSpan.FromSeconds(0.2)); // Timer I = T4
        Assert.Equal(TransactionState.Terminated, server.State);
        Assert.Equal(TerminationReason.Normal, server.TerminationReason);
    }

    [Fact]
    public void Retransmitted_invite_gets_the_last_provisional_then_the_final_response()
    {
        var h = new TransactionHarness();
        h.Network.Drop = d => d.To.Equals(UacEndPoint); // the UAC hears nothing, so we drive the UAS by hand
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(180));
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var server = h.UasUser.Requests.Single().Transaction;

        h.Advance(TimeSpan.FromSeconds(0.6)); // Timer A resends the INVITE once
        Assert.Equal(2, h.SendTimes((_, m) => IsResponse(m, 180)).Length);
        Assert.Single(h.UasUser.Requests); // a retransmission is not a new request

        server.Respond(server.CreateResponse(486));
        h.UasTransport.Deliver(FirstSent(h, SipMethod.Invite), UacEndPoint);
        Assert.Equal(2, h.SendTimes((_, m) => IsResponse(m, 486)).Length);
        Assert.Empty(h.SendTimes((_, m) => IsResponse(m, 100))); // the TU answered within 200 ms
    }

    [Fact]
    public void Trying_is_sent_after_200_ms_when_the_TU_is_silent()
    {
        var h = new TransactionHarness();
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        h.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Empty(h.SendTimes((_, m) => IsResponse(m, 100)));
        h.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([0.2], h.SendTimes((_, m) => IsResponse(m, 100)));
        Assert.Null(((SipResponse)h.Network.Log.Last().Message!).To!.Tag); // 100 carries no To tag
    }

    [Fact]
    public void Accepted_state_absorbs_invite_retransmissions_resends_the_2xx_until_its_ack_and_ends_on_Timer_L()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var server = (ServerInviteTransaction)h.UasUser.Requests.Single().Transaction;
        Assert.Equal(TransactionState.Accepted, server.State);

        // A retransmitted INVITE is absorbed: no new request for the TU, and no extra 2xx for it.
        h.UasTransport.Deliver(FirstSent(h, SipMethod.Invite), UacEndPoint);
        Assert.Single(h.UasUser.Requests);
        Assert.Single(h.SendTimes((_, m) => IsResponse(m, 200)));

        // Until the ACK comes, the 2xx is resent at T1, 2T1 (RFC 3261 §13.3.1.4); the TU may send one too.
        h.Advance(TimeSpan.FromSeconds(1.6));
        Assert.Equal([0, 0.5, 1.5], h.SendTimes((_, m) => IsResponse(m, 200)));
        Assert.True(server.Respond(server.CreateResponse(200)));
        Assert.False(server.Respond(server.CreateResponse(486))); // no non-2xx after a 2xx

        // An ACK matching the transaction (same branch) is handed to the TU and stops the resends.
        var ack = NewRequest(SipMethod.Ack, server.Request.TopVia!.Branch);
        ack.SetHeader(new CSeqHeader(server.Request.CSeq!.Sequence, SipMethod.Ack));
        h.UasTransport.Deliver(ack.ToBytes(), UacEndPoint);
        var (_, matched) = Assert.Single(h.UasUser.Acks);
        Assert.Same(server, matched);
        Assert.True(server.AckReceived);

        h.Advance(TimeSpan.FromSeconds(30.2));
        Assert.Equal(4, h.SendTimes((_, m) => IsResponse(m, 200)).Length);
        Assert.Equal(TransactionState.Accepted, server.State);
        h.Advance(TimeSpan.FromSeconds(0.3)); // Timer L = 64*T1
        Assert.Equal(TransactionState.Terminated, server.State);
        Assert.Equal(TerminationReason.Normal, server.TerminationReason);
    }

    [Fact]
    public void A_2xx_never_acknowledged_is_resent_capped_at_T2_and_ends_with_NoAck_on_Timer_L()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        h.Network.Drop = d => d.Message is SipRequest { Method: SipMethod.Ack };
        h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var server = (ServerInviteTransaction)h.UasUser.Requests.Single().Transaction;

        h.Advance(TimeSpan.FromSeconds(32.1));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], h.SendTimes((_, m) => IsResponse(m, 200)));
        Assert.Equal(TransactionState.Terminated, server.State);
        Assert.Equal(TerminationReason.NoAck, server.TerminationReason);
    }

    [Fact]
    public void Ack_for_2xx_with_its_own_branch_is_matched_to_the_accepted_invite_by_call_id_cseq_and_to_tag()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var ok = h.UacUser.Responses.Single().Response;
        var server = (ServerInviteTransaction)h.UasUser.Requests.Single().Transaction;

        var ack = NewRequest(SipMethod.Ack);
        ack.SetHeader(ok.To!.Clone());
        ack.SetHeader(new CSeqHeader(invite.Request.CSeq!.Sequence, SipMethod.Ack));
        Assert.True(h.Uac.SendStateless(ack, UasEndPoint));

        var (received, tx) = Assert.Single(h.UasUser.Acks);
        Assert.Same(server, tx);
        Assert.True(server.AckReceived);
        Assert.Equal(ok.To.Tag, received.To!.Tag);

        // An ACK after the transaction is gone still reaches the TU, without a transaction.
        h.Advance(TimeSpan.FromSeconds(33));
        Assert.True(h.Uac.SendStateless(NewAckLike(ack), UasEndPoint));
        Assert.Null(h.UasUser.Acks.Last().Transaction);
    }

    private static SipRequest NewAckLike(SipRequest ack)
    {
        var again = NewRequest(SipMethod.Ack);
        again.SetHeader(ack.To!.Clone());
        again.SetHeader(ack.CSeq!);
        return again;
    }

    [Fact]
    public void Server_non_invite_resends_its_final_response_to_retransmissions_until_Timer_J()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        h.Network.Drop = d => d.To.Equals(UacEndPoint); // responses lost: the client keeps retransmitting
        h.Uac.SendRequest(NewRequest(SipMethod.Register), UasEndPoint);
        var server = h.UasUser.Requests.Single().Transaction;

        h.Advance(TimeSpan.FromSeconds(4));
        Assert.Single(h.UasUser.Requests);
        Assert.Equal([0, 0.5, 1.5, 3.5], h.SendTimes((_, m) => IsResponse(m, 200)));
        Assert.Equal(TransactionState.Completed, server.State);
        h.Advance(TimeSpan.FromSeconds(28.1)); // Timer J = 64*T1 from the first response
        Assert.Equal(TransactionState.Terminated, server.State);
    }

    [Fact]
    public void Provisional_in_non_invite_is_resent_on_retransmission_and_second_final_is_refused()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(100));
        h.Network.Drop = d => d.To.Equals(UacEndPoint);
        h.Uac.SendRequest(NewRequest(SipMethod.Options), UasEndPoint);
        var server = h.UasUser.Requests.Single().Transaction;
        h.Advance(TimeSpan.FromSeconds(0.6));
        Assert.Equal(2, h.SendTimes((_, m) => IsResponse(m, 100)).Length);
        Assert.True(server.Respond(server.CreateResponse(200)));
        Assert.False(server.Respond(server.CreateResponse(500)));
    }

    [Fact]
    public void Cancel_without_a_matching_invite_gets_481()
    {
        var h = new TransactionHarness();
        h.Uac.SendRequest(NewRequest(SipMethod.Cancel), UasEndPoint);
        Assert.Equal([481], h.UacUser.Responses.Select(r => r.Response.StatusCode));
        Assert.Empty(h.UasUser.Cancels);
    }

    [Fact]
    public void Vias_get_received_and_rport_and_responses_follow_them()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        var request = NewRequest(SipMethod.Options);
        request.SetHeader(new ViaHeader("UDP", "uac.example.com", 5999, SipRequest.NewBranch()) { Parameters = { } });
        request.TopVia!.Parameters.Add("rport", null);
        h.Uac.SendRequest(request, UasEndPoint);

        var seen = h.UasUser.Requests.Single().Request.TopVia!;
        Assert.Equal("127.0.0.1", seen.Received);
        Assert.Equal(5060, seen.Rport);
        var response = h.Network.Log.Single(d => d.Message is SipResponse);
        Assert.Equal(UacEndPoint, response.To); // not uac.example.com:5999
        Assert.Single(h.UacUser.Responses);
    }

    [Fact]
    public void Malformed_request_is_answered_statelessly_with_its_error()
    {
        var h = new TransactionHarness();
        var bad = NewRequest(SipMethod.Options).ToString().Replace("Max-Forwards: 70", "Max-Forwards: 300");
        h.UasTransport.Deliver(Encoding.UTF8.GetBytes(bad), UacEndPoint);
        var answer = h.Network.Log.Single();
        Assert.Equal(UacEndPoint, answer.To);
        Assert.Equal(400, ((SipResponse)answer.Message!).StatusCode);
        Assert.Empty(h.UasUser.Requests);
        Assert.Equal(0, h.Uas.ServerTransactionCount);
    }

    [Fact]
    public void Request_with_a_bare_magic_cookie_branch_is_matched_the_rfc2543_way()
    {
        var h = new TransactionHarness();
        var request = NewRequest(SipMethod.Options, branch: ViaHeader.MagicCookie);
        var bytes = request.ToBytes();
        h.UasTransport.Deliver(bytes, UacEndPoint);
        h.UasTransport.Deliver(bytes, UacEndPoint);
        Assert.Single(h.UasUser.Requests);
        Assert.False(h.UasUser.Requests[0].Transaction.Key.IsRfc3261);

        var other = NewRequest(SipMethod.Options, branch: ViaHeader.MagicCookie, cseq: 2);
        h.UasTransport.Deliver(other.ToBytes(), UacEndPoint);
        Assert.Equal(2, h.UasUser.Requests.Count);
    }

    [Fact]
    public void Transactions_are_removed_when_terminated()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        for (var i = 0; i < 10; i++) h.Uac.SendRequest(NewRequest(SipMethod.Options, cseq: (uint)i + 1), UasEndPoint);
        Assert.Equal(10, h.Uac.ClientTransactionCount);
        Assert.Equal(10, h.Uas.ServerTransactionCount);
        h.Advance(TimeSpan.FromSeconds(33));
        Assert.Equal(0, h.Uac.ClientTransactionCount);
        Assert.Equal(0, h.Uas.ServerTransactionCount);
    }
}

public class TransactionLayerIsolationTests
{
    [Fact]
    public void A_throwing_TU_is_reported_and_does_not_stop_the_sends_queued_with_it()
    {
        var h = new TransactionHarness();
        var failures = new List<Exception>();
        h.Uas.CallbackFailed += failures.Add;
        h.UasUser.Answer = (tx, _) =>
        {
            tx.Respond(tx.CreateResponse(200));
            throw new InvalidOperationException("TU bug");
        };
        h.Uac.SendRequest(TransactionHarness.NewRequest(Routing.Sip.Message.SipMethod.Options), TransactionHarness.UasEndPoint);
        Assert.Single(failures);
        Assert.Single(h.UacUser.Responses);
    }
}
