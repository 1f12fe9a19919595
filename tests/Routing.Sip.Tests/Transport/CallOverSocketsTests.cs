using System.Net;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;
using Xunit;

namespace Routing.Sip.Tests.Transport;

/// <summary>A whole call (INVITE, 200, ACK, BYE) between two transaction layers over real loopback sockets.</summary>
public sealed class CallOverSocketsTests : IDisposable
{
    private static readonly SipTimers Fast = new() { T1 = TimeSpan.FromMilliseconds(50), T2 = TimeSpan.FromMilliseconds(400), T4 = TimeSpan.FromMilliseconds(500) };
    private readonly List<IDisposable> _owned = new();

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    public static TheoryData<string> Protocols => new() { "UDP", "TCP" };

    private ISipTransport NewTransport(string protocol)
    {
        var bind = new IPEndPoint(IPAddress.Loopback, 0);
        if (protocol == "UDP")
        {
            var udp = new UdpSipTransport(bind);
            _owned.Add(udp);
            udp.Start();
            return udp;
        }
        var tcp = new TcpSipTransport(bind);
        _owned.Add(tcp);
        tcp.Start();
        return tcp;
    }

    /// <summary>The callee: answers INVITE with a 200 that forms a dialog, and BYE inside it.</summary>
    private sealed class Callee(SipDialogTable dialogs, Func<SipUri> contact) : ISipTransactionUser
    {
        public int Acks;
        public int Byes;

        public void OnRequest(ServerTransaction transaction, SipRequest request)
        {
            if (request.Method == SipMethod.Invite)
            {
                var dialog = SipDialog.CreateUas(request, transaction.LocalTag, contact());
                dialogs.TryAdd(dialog);
                var ok = transaction.CreateResponse(200);
                ok.AddHeader(new ContactHeader(dialog.LocalContact));
                transaction.Respond(ok);
                dialog.Confirm();
                return;
            }
            var found = dialogs.Find(request);
            if (found is null)
            {
                transaction.Respond(transaction.CreateResponse(481));
                return;
            }
            if (!found.TryAcceptRequest(request, out var rejection))
            {
                transaction.Respond(rejection!);
                return;
            }
            if (request.Method == SipMethod.Bye)
            {
                found.Terminate();
                Interlocked.Increment(ref Byes);
            }
            transaction.Respond(transaction.CreateResponse(200));
        }

        public void OnResponse(ClientTransaction transaction, SipResponse response) { }

        public void OnAck(SipRequest ack, ServerInviteTransaction? transaction, IPEndPoint source)
        {
            if (dialogs.Find(ack) is not null) Interlocked.Increment(ref Acks);
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Invite_200_ack_and_bye_set_up_and_end_a_dialog_on_both_sides(string protocol)
    {
        var calleeTransport = NewTransport(protocol);
        var callerTransport = NewTransport(protocol);
        var calleeDialogs = new SipDialogTable();
        var calleeContact = SipUri.Create("127.0.0.1", "agent", calleeTransport.LocalEndPoint.Port);
        var callee = new Callee(calleeDialogs, () => calleeContact);
        var calleeLayer = new SipTransactionLayer(calleeTransport, callee, Fast);
        var callerUser = new ConcurrentUser();
        var callerLayer = new SipTransactionLayer(callerTransport, callerUser, Fast);
        _owned.Add(calleeLayer);
        _owned.Add(callerLayer);

        var callerContact = SipUri.Create("127.0.0.1", "caller", callerTransport.LocalEndPoint.Port);
        var invite = SipRequest.Create(SipMethod.Invite, calleeContact, SipUri.Parse("sip:caller@127.0.0.1"),
            SipUri.Parse("sip:agent@127.0.0.1"), callerContact);
        var inviteTx = callerLayer.SendRequest(invite, calleeTransport.LocalEndPoint);

        var ok = await Eventually.Value(() => callerUser.ResponsesTo(inviteTx).FirstOrDefault(r => r.IsSuccess), "200 to INVITE");
        var dialog = SipDialog.CreateUac(invite, ok);
        Assert.True(SipAddressing.TryGetEndPoint(dialog.NextHop, out var calleeEnd));
        Assert.Equal(calleeTransport.LocalEndPoint, calleeEnd);
        Assert.True(callerLayer.SendStateless(dialog.CreateAck(ok), calleeEnd));
        await Eventually.True(() => Volatile.Read(ref callee.Acks) == 1, "ACK reaches the callee's dialog");

        var bye = dialog.CreateRequest(SipMethod.Bye);
        var byeTx = callerLayer.SendRequest(bye, calleeEnd);
        var byeOk = await Eventually.Value(() => callerUser.ResponsesTo(byeTx).FirstOrDefault(), "answer to BYE");
        Assert.Equal(200, byeOk.StatusCode);
        Assert.Equal(1, callee.Byes);
        var calleeDialog = Assert.Single(calleeDialogs.All);
        Assert.Equal(DialogState.Terminated, calleeDialog.State);
        Assert.Equal(dialog.LocalTag, calleeDialog.RemoteTag);
        Assert.Equal(dialog.RemoteTag, calleeDialog.LocalTag);
    }
}
