using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Transport;

namespace Routing.Sip.Transactions;

/// <summary>
/// The transaction layer over one transport: matches responses to client transactions (branch + CSeq method) and
/// requests to server transactions (RFC 3261 §17.2.3, ACK and CANCEL included), stamps received/rport on incoming
/// Vias, answers unparseable requests statelessly, and runs every timer on the injected <see cref="TimeProvider"/>.
/// State changes happen under one lock; sends and TU callbacks run after it is released, in order.
/// </summary>
public sealed class SipTransactionLayer : IDisposable
{
    private readonly ISipTransactionUser _user;
    private readonly Lock _gate = new();
    private readonly Dictionary<TransactionKey, ClientTransaction> _clients = new();
    private readonly Dictionary<TransactionKey, ServerTransaction> _servers = new();
    // Server INVITE transactions by Call-ID and CSeq number: an ACK for a 2xx has a branch of its own (RFC 3261
    // §17.1.1.3), so it is matched by dialog; a scan of every transaction here cost ~16 % of a loaded node's CPU.
    private readonly Dictionary<(string CallId, uint CSeq), List<ServerInviteTransaction>> _invitesByDialog = new();
    private List<Action> _effects = new();

    public SipTransactionLayer(ISipTransport transport, ISipTransactionUser user, SipTimers? timers = null, TimeProvider? time = null)
    {
        Transport = transport;
        _user = user;
        Timers = timers ?? SipTimers.Default;
        Time = time ?? TimeProvider.System;
        transport.MessageReceived += OnMessage;
        transport.MessageRejected += OnRejected;
    }

    public ISipTransport Transport { get; }
    public SipTimers Timers { get; }
    public TimeProvider Time { get; }

    public int ClientTransactionCount { get { lock (_gate) return _clients.Count; } }
    public int ServerTransactionCount { get { lock (_gate) return _servers.Count; } }

    /// <summary>
    /// Sends a request in a new client transaction (INVITE or non-INVITE). A top Via is added if missing and given
    /// an RFC 3261 branch if it has none. ACK is not sent this way: see <see cref="SendStateless"/>.
    /// </summary>
    public ClientTransaction SendRequest(SipRequest request, IPEndPoint destination)
    {
        if (request.Method == SipMethod.Ack) throw new ArgumentException("ACK has no client transaction; use SendStateless", nameof(request));
        if (request.CSeq is null) throw new ArgumentException("Request has no CSeq", nameof(request));
        var via = request.TopVia;
        if (via is null)
        {
            via = LocalVia(null);
            request.Headers.Insert(0, via);
        }
        if (!via.HasRfc3261Branch) via.Branch = SipRequest.NewBranch();
        ClientTransaction? tx = null;
        Run(() => tx = StartClient(request, destination));
        return tx!;
    }

    /// <summary>Sends CANCEL for a pending INVITE (deferred until a provisional response, RFC 3261 §9.1); false if too late.</summary>
    public bool Cancel(ClientInviteTransaction invite)
    {
        var accepted = false;
        Run(() => accepted = invite.Cancel());
        return accepted;
    }

    /// <summary>
    /// Sends outside any transaction: the ACK for a 2xx, or a stateless response. A request without a Via gets one
    /// (advertised address, new branch), as for <see cref="SendRequest"/>.
    /// </summary>
    public bool SendStateless(SipMessage message, IPEndPoint destination)
    {
        if (message is SipRequest request && request.TopVia is null)
            request.Headers.Insert(0, LocalVia(SipRequest.NewBranch()));
        return Transport.Send(message, destination);
    }

    /// <summary>A Via naming this transport's advertised address (IPv6 in brackets, RFC 3261 §25.1).</summary>
    private ViaHeader LocalVia(string? branch)
    {
        var local = Transport.AdvertisedEndPoint;
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
        return new ViaHeader(Transport.Protocol, host, local.Port, branch);
    }

    internal ClientTransaction StartClient(SipRequest request, IPEndPoint destination)
    {
        ClientTransaction tx = request.Method == SipMethod.Invite
            ? new ClientInviteTransaction(this, request, destination)
            : new ClientNonInviteTransaction(this, request, destination);
        _clients[tx.Key] = tx;
        tx.Start();
        return tx;
    }

    /// <summary>Runs a state change under the lock, then its effects (sends, TU callbacks) outside it.</summary>
    internal void Run(Action body)
    {
        List<Action> effects;
        lock (_gate)
        {
            body();
            if (_effects.Count == 0) return;
            effects = _effects;
            _effects = new List<Action>();
        }
        foreach (var effect in effects)
        {
            try
            {
                effect();
            }
            catch (Exception ex)
            {
                // A throwing TU must neither lose the other effects nor, on a timer thread, bring the process down.
                var handler = CallbackFailed;
                if (handler is null) throw;
                handler(ex);
            }
        }
    }

    /// <summary>
    /// Raised when a TU callback or a transport send throws. Without a subscriber the exception propagates to
    /// whoever drove the layer (transport receive loop, timer, or the TU's own call).
    /// </summary>
    public event Action<Exception>? CallbackFailed;

    internal void PostToUser(Action<ISipTransactionUser> call) => _effects.Add(() => call(_user));

    internal void PostSend(SipMessage message, IPEndPoint destination, SipTransaction owner) => _effects.Add(() =>
    {
        if (!Transport.Send(message, destination)) Run(owner.OnTransportError);
    });

    internal void Remove(SipTransaction tx)
    {
        switch (tx)
        {
            case ClientTransaction c when _clients.TryGetValue(c.Key, out var known) && known == c:
                _clients.Remove(c.Key);
                break;
            case ServerTransaction s when _servers.TryGetValue(s.Key, out var known) && known == s:
                _servers.Remove(s.Key);
                if (s is ServerInviteTransaction invite) Unindex(invite);
                break;
        }
    }

    private void OnMessage(SipMessage message, IPEndPoint source) => Run(() =>
    {
        switch (message)
        {
            case SipResponse response:
                if (_clients.TryGetValue(TransactionKey.ForClient(response), out var client)) client.OnResponse(response);
                else PostToUser(tu => tu.OnStrayResponse(response, source));
                break;
            case SipRequest request:
                OnRequest(request, source);
                break;
        }
    });

    private static (string, uint)? DialogKey(SipRequest r) => r.CallId is { } id && r.CSeq is { } cseq ? (id, cseq.Sequence) : null;

    private void Index(ServerInviteTransaction tx)
    {
        if (DialogKey(tx.Request) is not { } k) return;
        if (!_invitesByDialog.TryGetValue(k, out var list)) _invitesByDialog[k] = list = new List<ServerInviteTransaction>(1);
        list.Add(tx);
    }

    private void Unindex(ServerInviteTransaction tx)
    {
        if (DialogKey(tx.Request) is not { } k || !_invitesByDialog.TryGetValue(k, out var list)) return;
        list.Remove(tx);
        if (list.Count == 0) _invitesByDialog.Remove(k);
    }

    private ServerInviteTransaction? AcceptedFor(SipRequest ack)
    {
        if (DialogKey(ack) is not { } k || !_invitesByDialog.TryGetValue(k, out var list)) return null;
        foreach (var tx in list)
            if (tx.IsAckFor2xx(ack)) return tx;
        return null;
    }

    private void OnRequest(SipRequest request, IPEndPoint source)
    {
        var via = request.TopVia!;
        StampVia(via, source);
        var key = TransactionKey.ForServer(request);

        if (request.Method == SipMethod.Ack)
        {
            if (_servers.TryGetValue(key, out var found) && found is ServerInviteTransaction invite) invite.OnAck(request, source);
            else if (AcceptedFor(request) is { } accepted)
                accepted.OnAck(request, source);
            else PostToUser(tu => tu.OnAck(request, null, source));
            return;
        }

        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRetransmission(request);
            return;
        }

        var replyTo = ResponseDestination(via, source);
        if (request.Method == SipMethod.Invite)
        {
            var tx = new ServerInviteTransaction(this, key, request, replyTo);
            _servers[key] = tx;
            Index(tx);
            PostToUser(tu => tu.OnRequest(tx, request));
            return;
        }

        var server = new ServerNonInviteTransaction(this, key, request, replyTo);
        _servers[key] = server;
        if (request.Method == SipMethod.Cancel)
        {
            if (_servers.TryGetValue(TransactionKey.ForServer(request, SipMethod.Invite), out var target) && target is ServerInviteTransaction invite)
                PostToUser(tu => tu.OnCancel(server, invite));
            else
                PostToUser(_ => server.Respond(server.CreateResponse(481)));
            return;
        }
        PostToUser(tu => tu.OnRequest(server, request));
    }

    /// <summary>RFC 3261 §18.2.1 received, RFC 3581 rport.</summary>
    private static void StampVia(ViaHeader via, IPEndPoint source)
    {
        var sourceIp = source.Address.ToString();
        if (via.HasRport && via.Rport is null)
        {
            via.Parameters.Set("rport", source.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            via.Received = sourceIp;
        }
        else if (!string.Equals(via.Host.Trim('[', ']'), sourceIp, StringComparison.OrdinalIgnoreCase))
        {
            via.Received = sourceIp;
        }
    }

    /// <summary>Where responses go (RFC 3261 §18.2.2, RFC 3581): the connection for reliable transports, else received/rport.</summary>
    private IPEndPoint ResponseDestination(ViaHeader via, IPEndPoint source)
    {
        if (Transport.IsReliable) return source;
        if (via.Maddr is { } maddr && IPAddress.TryParse(maddr, out var multicast)) return new IPEndPoint(multicast, via.Port ?? 5060);
        var host = via.Received ?? via.Host.Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address)) return source;
        return new IPEndPoint(address, via.Rport ?? via.Port ?? 5060);
    }

    private void OnRejected(SipParseError error, IPEndPoint source)
    {
        if (!error.CanRespond) return;
        Transport.Send(error.CreateResponse(SipRequest.NewTag()), source);
    }

    public void Dispose()
    {
        Transport.MessageReceived -= OnMessage;
        Transport.MessageRejected -= OnRejected;
    }
}
