using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Routing.Gateway.Calls;
using Routing.Gateway.Contacts;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Gateway;

// Operators' contacts cluster-wide. A phone's binding stays on the gateway that took its REGISTER (the only one that
// can reach it through its NAT, and over its own TCP connection). The contact directory (replicated) tells every
// gateway where each operator is registered; a gateway whose caller is routed to an operator registered elsewhere
// INVITEs that gateway, which rings the phone and passes signalling back and forth (RelayedLeg). Media does not
// pass through the relaying gateway: the SDP is handed on unchanged.
public sealed partial class SipGateway
{
    /// <summary>Marks an INVITE from a peer gateway asking this one to ring an operator registered here.</summary>
    public const string RelayHeader = "X-Routing-Relay";

    private static readonly string[] RelayedHeaders = ["Refer-To", "Referred-By", "Event", "Subscription-State", "Replaces"];

    private readonly ConcurrentDictionary<string, RelayedLeg> _relayByPeerCallId = new();
    private readonly ConcurrentDictionary<string, RelayedLeg> _relayByPhoneCallId = new();
    private readonly ConcurrentDictionary<ClientTransaction, (ServerTransaction Origin, RelayedLeg Relay, SipDialog Onward)> _relayPending = new();
    private volatile ContactDirectory _directory = ContactDirectory.Empty;
    private IActorRef _contacts = ActorRefs.Nobody;
    private string _selfNode = "";

    /// <summary>The cluster's gateways and where operators are registered, as this gateway last heard.</summary>
    public ContactDirectory Directory => _directory;

    /// <summary>Relayed operator legs in progress (signalling only).</summary>
    public int RelayedLegs => _relayByPeerCallId.Count;

    private void StartDirectory(Address self)
    {
        _selfNode = self.ToString();
        _contacts = _system.ActorOf(ContactDirectoryActor.Props(SipEndPoint, d => _directory = d), ContactDirectoryActor.Name);
        PublishContacts();
    }

    private void PublishContacts() => _contacts.Tell(new ContactDirectoryActor.Publish(_registrar.Users));

    /// <summary>A gateway elsewhere in the cluster that holds a binding of <paramref name="op"/>, if any is usable now.</summary>
    private GatewayContact? PeerFor(string op)
    {
        var state = Akka.Cluster.Cluster.Get(_system).State;
        bool Usable(string node) =>
            state.Members.Any(m => m.Address.ToString() == node && m.Status == Akka.Cluster.MemberStatus.Up)
            && !state.Unreachable.Any(m => m.Address.ToString() == node);
        return _directory.Locate(op, _selfNode, Usable).FirstOrDefault();
    }

    // ---- the relaying side: a peer asks us to ring a phone registered here ----------------------------------------

    private void RelayInvite(ServerInviteTransaction tx, SipRequest invite)
    {
        if (!_directory.IsGateway(tx.Remote))
        {
            Reject(tx, 403, "relayed calls are taken from the cluster's gateways only");
            return;
        }
        var op = invite.RequestUri.UserUnescaped ?? "";
        if (!_registrar.TryGetBinding(op, out var binding))
        {
            Reject(tx, 404, $"operator {op} has no phone registered here");
            return;
        }
        var phoneLayer = binding.Transport.Equals("TCP", StringComparison.OrdinalIgnoreCase) ? _tcpLayer : _udpLayer;
        var relay = new RelayedLeg(op, tx, LayerOf(tx), phoneLayer, binding.Source);
        var caller = invite.From;
        var request = SipRequest.Create(SipMethod.Invite, binding.Contact,
            SipUri.Create(Advertised.ToString(), caller?.Uri.User ?? "routing", SipEndPoint.Port),
            SipUri.Create(Advertised.ToString(), op, SipEndPoint.Port), ContactUri(phoneLayer),
            SipRequest.NewCallId(Advertised.ToString()), fromDisplayName: caller?.DisplayName);
        request.AddHeader("Allow", Allow);
        if (invite.ContentType is { } type) request.AddHeader(type);
        request.Body = invite.Body;
        relay.PhoneRequest = request;
        _relayByPeerCallId[relay.PeerCallId] = relay;
        _relayByPhoneCallId[relay.PhoneCallId] = relay;
        GatewayMetrics.SipTransactions.Add(1, new KeyValuePair<string, object?>("method", SipMethod.Invite));
        relay.PhoneInvite = (ClientInviteTransaction)phoneLayer.SendRequest(request, binding.Source);
    }

    /// <summary>The phone answered our relayed INVITE (or refused it).</summary>
    private void OnPhoneResponse(RelayedLeg relay, SipResponse response)
    {
        if (response.IsProvisional)
        {
            bool first;
            lock (relay.Gate)
            {
                first = response.StatusCode is 180 or 183 && !relay.Ringing && !relay.Cancelled;
                if (first) relay.Ringing = true;
            }
            if (first) relay.PeerInvite.Respond(relay.PeerInvite.CreateResponse(180));
            return;
        }
        if (!response.IsSuccess)
        {
            ForgetRelay(relay);
            bool cancelled;
            lock (relay.Gate) cancelled = relay.Cancelled;
            if (!cancelled) Respond(relay.PeerInvite, relay.PeerInvite.CreateResponse(response.StatusCode, response.ReasonPhrase));
            return;
        }
        SipDialog phone;
        lock (relay.Gate)
        {
            phone = relay.PhoneDialog ??= SipDialog.CreateUac(relay.PhoneRequest!, response);
            phone.RemoteEndPoint ??= relay.Phone;
        }
        phone.OnResponse(response);
        relay.PhoneLayer.SendStateless(phone.CreateAck(response), NextHop(phone, relay.Phone));
        bool cancelledLate;
        lock (relay.Gate)
        {
            if (relay.Answered) return; // a retransmitted 2xx: acknowledged again above
            relay.Answered = true;
            cancelledLate = relay.Cancelled;
        }
        if (cancelledLate)
        {
            SendBye(phone, relay.PhoneLayer); // the peer gave up while the phone was answering
            ForgetRelay(relay);
            return;
        }
        var contact = ContactUri(relay.PeerLayer);
        var ok = relay.PeerInvite.CreateResponse(200);
        ok.AddHeader(new ContactHeader(contact));
        ok.AddHeader("Allow", Allow);
        if (response.ContentType is { } type) ok.AddHeader(type);
        ok.Body = response.Body;
        var peer = SipDialog.CreateUas(relay.PeerInvite.Request, relay.PeerInvite.LocalTag, contact);
        peer.RemoteEndPoint = relay.PeerInvite.Remote;
        lock (relay.Gate) relay.PeerDialog = peer;
        Respond(relay.PeerInvite, ok);
    }

    /// <summary>The peer cancelled its INVITE: stop the phone ringing.</summary>
    private void OnRelayCancelled(RelayedLeg relay)
    {
        ClientInviteTransaction? invite;
        lock (relay.Gate)
        {
            if (relay.Answered) return; // the phone's 2xx crossed the CANCEL: the peer will hang up with BYE
            relay.Cancelled = true;
            invite = relay.PhoneInvite;
        }
        if (invite is not null) relay.PhoneLayer.Cancel(invite);
    }

    /// <summary>An in-dialog request on one side of a relayed leg is passed to the other side; BYE ends both.</summary>
    private void RelayInDialog(ServerTransaction tx, SipRequest request, RelayedLeg relay, bool fromPeer)
    {
        SipDialog? dialog, onward;
        lock (relay.Gate)
        {
            dialog = fromPeer ? relay.PeerDialog : relay.PhoneDialog;
            onward = fromPeer ? relay.PhoneDialog : relay.PeerDialog;
        }
        if (dialog is null)
        {
            Respond(tx, tx.CreateResponse(481));
            return;
        }
        if (!dialog.TryAcceptRequest(request, out var rejection))
        {
            Respond(tx, rejection!);
            return;
        }
        var onwardLayer = fromPeer ? relay.PhoneLayer : relay.PeerLayer;
        var onwardFallback = fromPeer ? relay.Phone : relay.PeerInvite.Remote;
        if (request.Method == SipMethod.Bye)
        {
            Respond(tx, tx.CreateResponse(200));
            dialog.Terminate();
            if (onward is not null) SendBye(onward, onwardLayer);
            ForgetRelay(relay);
            return;
        }
        if (onward is null || onward.State == DialogState.Terminated)
        {
            Respond(tx, tx.CreateResponse(481));
            return;
        }
        var forward = onward.CreateRequest(request.Method);
        foreach (var name in RelayedHeaders)
            foreach (var value in request.GetHeaderValues(name))
                forward.AddHeader(name, value);
        if (request.ContentType is { } type) forward.AddHeader(type);
        forward.Body = request.Body;
        var client = onwardLayer.SendRequest(forward, NextHop(onward, onwardFallback));
        _relayPending[client] = (tx, relay, onward);
    }

    /// <summary>The answer to a request we passed on: back to whoever sent it, under its own transaction.</summary>
    private void RelayResponse(ClientTransaction client, SipResponse response, ServerTransaction origin, SipDialog onward, RelayedLeg relay)
    {
        if (client.Request.Method == SipMethod.Invite && response.IsSuccess)
        {
            onward.OnResponse(response);
            var layer = onward == relay.PhoneDialog ? relay.PhoneLayer : relay.PeerLayer;
            layer.SendStateless(onward.CreateAck(response), NextHop(onward, client.Remote));
        }
        var answer = origin.CreateResponse(response.StatusCode, response.ReasonPhrase);
        if (response.IsSuccess && origin.Request.Method is SipMethod.Invite or SipMethod.Update)
        {
            var local = origin.Request.CallId == relay.PeerCallId ? relay.PeerDialog : relay.PhoneDialog;
            if (local is not null) answer.AddHeader(new ContactHeader(local.LocalContact));
        }
        if (response.ContentType is { } type) answer.AddHeader(type);
        answer.Body = response.Body;
        Respond(origin, answer);
    }

    private void ForgetRelay(RelayedLeg relay)
    {
        _relayByPeerCallId.TryRemove(relay.PeerCallId, out _);
        _relayByPhoneCallId.TryRemove(relay.PhoneCallId, out _);
    }

    internal void SendBye(SipDialog dialog, SipTransactionLayer layer)
    {
        if (dialog.State == DialogState.Terminated) return;
        var bye = dialog.CreateRequest(SipMethod.Bye);
        dialog.Terminate();
        if (dialog.RemoteEndPoint is { } to) layer.SendRequest(bye, NextHop(dialog, to));
    }
}
