using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Xunit;
using static Routing.Sip.Tests.Transactions.TransactionHarness;

namespace Routing.Sip.Tests.Transactions;

public class ClientTransactionTests
{
    private static readonly TimeSpan T1 = SipTimers.Default.T1;

    [Fact]
    public void Non_invite_request_is_retransmitted_at_T1_2T1_4T1_capped_at_T2_until_Timer_F_gives_a_local_408()
    {
        var h = new TransactionHarness();
        h.Network.Drop = d => d.To.Equals(UasEndPoint); // nobody ever hears it
        var tx = h.Uac.SendRequest(NewRequest(SipMethod.Options), UasEndPoint);

        h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Empty(h.UacUser.Responses);
        h.Advance(TimeSpan.FromSeconds(0.2)); // F = 64*T1 = 32 s
        h.Advance(TimeSpan.FromSeconds(8));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            h.SendTimes((_, m) => IsRequest(m, SipMethod.Options)));
        var (_, response) = Assert.Single(h.UacUser.Responses);
        Assert.Equal(408, response.StatusCode);
        Assert.True(response.IsLocal);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(TerminationReason.Timeout, tx.TerminationReason);
        Assert.Equal(0, h.Uac.ClientTransactionCount);
    }

    [Fact]
    public void Invite_is_retransmitted_on_Timer_A_doubling_without_cap_until_Timer_B_gives_a_local_408()
    {
        var h = new TransactionHarness();
        h.Network.Drop = d => d.To.Equals(UasEndPoint);
        var tx = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);

        h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Empty(h.UacUser.Responses);
        h.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], h.SendTimes((_, m) => IsRequest(m, SipMethod.Invite)));
        var (_, response) = Assert.Single(h.UacUser.Responses);
        Assert.Equal(408, response.StatusCode);
        Assert.True(response.IsLocal);
        Assert.Equal(TerminationReason.Timeout, tx.TerminationReason);
    }

    [Fact]
    public void Provisional_response_stops_invite_retransmissions_and_Timer_B()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(180));
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);

        h.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal([0.0], h.SendTimes((_, m) => IsRequest(m, SipMethod.Invite)));
        Assert.Equal(TransactionState.Proceeding, invite.State);
        Assert.Equal([180], h.UacUser.Responses.Select(r => r.Response.StatusCode));
    }

    [Fact]
    public void Non_invite_in_proceeding_retransmits_every_T2()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(100));
        h.Uac.SendRequest(NewRequest(SipMethod.Register), UasEndPoint);
        h.Advance(TimeSpan.FromSeconds(13));
        // 100 arrives at once; the retransmission timer still fires at 0.5 s, then every T2.
        Assert.Equal([0, 0.5, 4.5, 8.5, 12.5], h.SendTimes((d, m) => IsRequest(m, SipMethod.Register)));
    }

    [Fact]
    public void Final_non_invite_response_goes_to_the_TU_once_and_Timer_K_absorbs_retransmissions()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        var tx = h.Uac.SendRequest(NewRequest(SipMethod.Options), UasEndPoint);
        Assert.Equal(TransactionState.Completed, tx.State);

        // The server answers the retransmission the client's Timer E fires... except the client is already Completed, so
        // replay the server's 200 by hand.
        var ok = h.Network.Log.Single(d => d.Message is SipResponse).Bytes;
        h.UacTransport.Deliver(ok, UasEndPoint);
        Assert.Single(h.UacUser.Responses);

        h.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(TransactionState.Completed, tx.State);
        h.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(TerminationReason.Normal, tx.TerminationReason);
    }

    [Fact]
    public void Non_2xx_final_to_invite_is_acked_by_the_transaction_and_retransmissions_are_reacked_not_passed_up()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(486));
        // Lose the first ACK so the server retransmits its 486 on Timer G.
        var acksSeen = 0;
        h.Network.Drop = d => d.Message is SipRequest { Method: SipMethod.Ack } && acksSeen++ == 0;
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);

        h.Advance(TimeSpan.FromSeconds(1));

        var (_, response) = Assert.Single(h.UacUser.Responses);
        Assert.Equal(486, response.StatusCode);
        var acks = h.Network.Log.Where(d => d.Message is SipRequest { Method: SipMethod.Ack }).Select(d => (SipRequest)d.Message!).ToList();
        Assert.Equal(2, acks.Count);
        var ack = acks[0];
        Assert.Equal(invite.Request.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Single(ack.Vias);
        Assert.Equal(response.To!.Tag, ack.To!.Tag);
        Assert.Equal((invite.Request.CSeq!.Sequence, SipMethod.Ack), (ack.CSeq!.Sequence, ack.CSeq.Method));
        Assert.Equal(invite.Request.RequestUri, ack.RequestUri);
        Assert.Empty(h.UasUser.Acks); // non-2xx ACK is absorbed by the server transaction

        Assert.Equal(TransactionState.Completed, invite.State);
        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(TransactionState.Terminated, invite.State); // Timer D
    }

    [Fact]
    public void Two_hundred_to_invite_goes_to_the_TU_without_an_ack_and_retransmissions_pass_through_until_Timer_M()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(200));
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);

        Assert.Equal(TransactionState.Accepted, invite.State);
        Assert.Equal([200], h.UacUser.Responses.Select(r => r.Response.StatusCode));
        Assert.DoesNotContain(h.Network.Log, d => d.Message is SipRequest { Method: SipMethod.Ack });

        var ok = h.Network.Log.Single(d => IsResponse(d.Message!, 200)).Bytes;
        h.UacTransport.Deliver(ok, UasEndPoint);
        Assert.Equal(2, h.UacUser.Responses.Count); // the TU re-ACKs each 2xx

        h.Advance(TimeSpan.FromSeconds(32.1));
        Assert.Equal(TransactionState.Terminated, invite.State);
        h.UacTransport.Deliver(ok, UasEndPoint);
        Assert.Single(h.UacUser.StrayResponses);
    }

    [Fact]
    public void Cancel_is_sent_after_a_provisional_and_the_487_is_acked()
    {
        var h = new TransactionHarness();
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(180));
        var invite = (ClientInviteTransaction)h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);

        Assert.True(h.Uac.Cancel(invite));

        var cancel = h.Network.Log.Select(d => d.Message).OfType<SipRequest>().Single(r => r.Method == SipMethod.Cancel);
        Assert.Equal(invite.Request.TopVia!.Branch, cancel.TopVia!.Branch);
        Assert.Equal(SipMethod.Cancel, cancel.CSeq!.Method);
        Assert.Equal(invite.Request.CSeq!.Sequence, cancel.CSeq.Sequence);
        var (_, matched) = Assert.Single(h.UasUser.Cancels);
        Assert.Same(h.UasUser.Requests[0].Transaction, matched);

        Assert.Equal([180, 200, 487], h.UacUser.Responses.Select(r => r.Response.StatusCode).Order());
        Assert.Equal(SipMethod.Cancel, h.UacUser.Responses.Single(r => r.Response.StatusCode == 200).Response.CSeq!.Method);
        Assert.Contains(h.Network.Log, d => d.Message is SipRequest { Method: SipMethod.Ack });
        Assert.Equal(TransactionState.Completed, invite.State);
    }

    [Fact]
    public void Cancel_before_any_provisional_waits_for_one()
    {
        var h = new TransactionHarness();
        var invite = (ClientInviteTransaction)h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        Assert.True(h.Uac.Cancel(invite));
        Assert.DoesNotContain(h.Network.Log, d => d.Message is SipRequest { Method: SipMethod.Cancel });

        h.Advance(TimeSpan.FromMilliseconds(250)); // the server's 100 Trying after 200 ms
        Assert.Contains(h.Network.Log, d => d.Message is SipRequest { Method: SipMethod.Cancel });
        Assert.Contains(h.UacUser.Responses, r => r.Response.StatusCode == 487);
    }

    [Fact]
    public void Response_with_another_cseq_method_does_not_match_the_transaction()
    {
        var h = new TransactionHarness();
        h.Network.Drop = d => d.To.Equals(UasEndPoint);
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        var wrong = SipResponse.CreateFor(invite.Request, 200);
        wrong.SetHeader(new CSeqHeader(invite.Request.CSeq!.Sequence, SipMethod.Options));
        h.UacTransport.Deliver(wrong.ToBytes(), UasEndPoint);
        Assert.Empty(h.UacUser.Responses);
        Assert.Single(h.UacUser.StrayResponses);
        Assert.Equal(TransactionState.Calling, invite.State);
    }

    [Fact]
    public void Reliable_transport_sends_once_and_ends_without_waiting()
    {
        var h = new TransactionHarness(reliable: true);
        h.UasUser.Answer = (tx, _) => tx.Respond(tx.CreateResponse(404));
        var options = h.Uac.SendRequest(NewRequest(SipMethod.Options), UasEndPoint);
        var invite = h.Uac.SendRequest(NewRequest(SipMethod.Invite), UasEndPoint);
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(h.SendTimes((_, m) => IsRequest(m, SipMethod.Options)));
        Assert.Single(h.SendTimes((_, m) => IsRequest(m, SipMethod.Invite)));
        Assert.Equal(TransactionState.Terminated, options.State); // Timer K = 0
        Assert.Equal(TransactionState.Terminated, invite.State); // Timer D = 0
    }

    [Fact]
    public void Transport_error_gives_the_TU_a_local_503()
    {
        var h = new TransactionHarness();
        var nowhere = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9);
        var tx = h.Uac.SendRequest(NewRequest(SipMethod.Options), nowhere);
        var (_, response) = Assert.Single(h.UacUser.Responses);
        Assert.Equal(503, response.StatusCode);
        Assert.True(response.IsLocal);
        Assert.Equal(TerminationReason.TransportError, tx.TerminationReason);
    }

    [Fact]
    public void Send_request_adds_a_branch_when_the_via_has_none()
    {
        var h = new TransactionHarness();
        var request = NewRequest(SipMethod.Options);
        request.TopVia!.Branch = null;
        h.Uac.SendRequest(request, UasEndPoint);
        Assert.True(request.TopVia.HasRfc3261Branch);
        Assert.Equal(T1, SipTimers.Default.TimerE);
    }
}
