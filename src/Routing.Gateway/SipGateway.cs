using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Routing.Cluster.Config;
using Routing.Cluster.Entities;
using Routing.Cluster.Facade;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Operators;
using Routing.Gateway.Calls;
using Routing.Gateway.Media;
using Routing.Media.Dtmf;
using Routing.Media.Sdp;
using Routing.Media.Transport;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Registrar;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Gateway;

/// <summary>
/// The gateway role on one node: SIP over UDP and TCP, the operators' registrar, and one <see cref="CallSession"/>
/// per inbound call. It is the transaction user of both transaction layers; it turns SIP and RTP events into
/// commands for the call entities and their channel instructions back into SIP and RTP.
/// </summary>
public sealed partial class SipGateway : ISipTransactionUser, IDisposable
{
    private static readonly string[] AllowedMethods = ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "REFER", "NOTIFY", "REGISTER"];
    internal static readonly string Allow = string.Join(", ", AllowedMethods);

    private readonly ActorSystem _system;
    private readonly IRoutingService _routing;
    private readonly ILoggingAdapter _log;
    private readonly Regions _regions;
    private readonly ConfigView _config;
    private readonly ConcurrentDictionary<CallId, CallSession> _byCall = new();
    private readonly ConcurrentDictionary<string, CallSession> _byCallerCallId = new();
    private readonly ConcurrentDictionary<string, (CallSession Session, OperatorLeg Leg)> _byOutgoingCallId = new();
    private readonly UdpSipTransport _udp;
    private readonly TcpSipTransport _tcp;
    private readonly SipTransactionLayer _udpLayer;
    private readonly SipTransactionLayer _tcpLayer;
    private readonly SipRegistrar _registrar;
    private readonly RtpPortAllocator _ports;
    private readonly MediaClock _clock = new();
    private readonly SdpNegotiator _sdp = new("routing");
    private IActorRef _actor = ActorRefs.Nobody;
    private string _channel = "";

    public SipGateway(GatewayOptions options, ActorSystem system, IRoutingService routing)
    {
        Options = options;
        _system = system;
        _routing = routing;
        _log = Logging.GetLogger(system, "gateway");
        _regions = Regions.Get(system);
        _config = ConfigView.Get(system);
        var advertised = options.AdvertisedAddress ?? (options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : options.BindAddress);
        Advertised = advertised;
        _udp = new UdpSipTransport(new IPEndPoint(options.BindAddress, options.SipPort), advertised);
        _tcp = new TcpSipTransport(new IPEndPoint(options.BindAddress, _udp.LocalEndPoint.Port), advertised);
        _udpLayer = new SipTransactionLayer(_udp, this);
        _tcpLayer = new SipTransactionLayer(_tcp, this);
        _udp.MessageRejected += (_, _) => GatewayMetrics.SipRejected.Add(1);
        _tcp.MessageRejected += (_, _) => GatewayMetrics.SipRejected.Add(1);
        _registrar = new SipRegistrar(new RegistrarOptions
        {
            Realm = options.Realm,
            MinExpires = TimeSpan.FromSeconds(options.MinRegisterSeconds),
            MaxExpires = TimeSpan.FromSeconds(options.MaxRegisterSeconds),
            DefaultExpires = TimeSpan.FromSeconds(options.DefaultRegisterSeconds),
        }, user => _config.Current.FindOperator(new OperatorId(user))?.SipPassword);
        _registrar.BindingAdded += _ =>
        {
            GatewayMetrics.Registrations.Add(1);
            PublishContacts();
        };
        _registrar.BindingRemoved += OnBindingRemoved;
        _ports = new RtpPortAllocator(options.BindAddress, options.RtpPorts);
        Prompts = new PromptPlanner(options.PromptsDir, options.SpeechCacheDir);
    }

    public GatewayOptions Options { get; }
    public IPAddress Advertised { get; }

    /// <summary>Where SIP answers (UDP and TCP share the port).</summary>
    public IPEndPoint SipEndPoint => new(Advertised, _udp.LocalEndPoint.Port);

    internal PromptPlanner Prompts { get; }

    public int ActiveCalls => _byCall.Count;

    /// <summary>Whether this gateway carries the call now (asked by a call entity after it restarts).</summary>
    public bool Carries(CallId id) => _byCall.ContainsKey(id);

    /// <summary>Media counters of a call in progress (tests and the CLI): packets received and sent per leg.</summary>
    public MediaStats? StatsOf(CallId id) =>
        _byCall.TryGetValue(id, out var s)
            ? new MediaStats(s.CallerMedia.PacketsReceived, s.CallerMedia.PacketsSent,
                s.Outgoing?.Media.PacketsReceived ?? 0, s.Outgoing?.Media.PacketsSent ?? 0, s.CallerMedia.PacketsRelayed, s.Outgoing?.Media.PacketsRelayed ?? 0)
            : null;

    /// <summary>Called once the gateway actor exists: its path is the channel every call entity of ours talks to.</summary>
    internal void Attach(IActorRef actor, Address self)
    {
        _actor = actor;
        _channel = actor.Path.ToStringWithAddress(self);
        _udp.Start();
        _tcp.Start();
        StartDirectory(self);
    }

    // ---- transaction user ------------------------------------------------------------------------

    public void OnRequest(ServerTransaction tx, SipRequest request)
    {
        GatewayMetrics.SipRequests.Add(1, new KeyValuePair<string, object?>("method", request.Method));
        GatewayMetrics.SipTransactions.Add(1, new KeyValuePair<string, object?>("method", request.Method));
        try
        {
            switch (request.Method)
            {
                case SipMethod.Register:
                    Respond(tx, _registrar.Handle(request, tx.Remote, LayerOf(tx).Transport.Protocol));
                    break;
                case SipMethod.Options:
                    Respond(tx, SipResponses.ForOptions(request, AllowedMethods, ["application/sdp"], tx.LocalTag));
                    break;
                case SipMethod.Invite when request.To?.Tag is null && request.GetHeaderValue(RelayHeader) is not null:
                    RelayInvite((ServerInviteTransaction)tx, request);
                    break;
                case SipMethod.Invite when request.To?.Tag is null:
                    _ = NewCall((ServerInviteTransaction)tx, request);
                    break;
                case SipMethod.Invite:
                case SipMethod.Bye:
                case SipMethod.Info:
                case SipMethod.Refer:
                case SipMethod.Notify:
                case SipMethod.Update:
                    InDialog(tx, request);
                    break;
                default:
                    var na = tx.CreateResponse(405);
                    na.AddHeader("Allow", Allow);
                    Respond(tx, na);
                    break;
            }
        }
        catch (Exception e)
        {
            _log.Warning(e, "SIP {0} from {1} failed", request.Method, tx.Remote);
            Respond(tx, tx.CreateResponse(500));
        }
    }

    private static void Respond(ServerTransaction tx, SipResponse response)
    {
        if (response.IsFinal) GatewayMetrics.SipResponses.Add(1, new KeyValuePair<string, object?>("class", GatewayMetrics.ClassOf(response.StatusCode)));
        tx.Respond(response);
    }

    private SipTransactionLayer LayerOf(SipTransaction tx) => tx.Request.TopVia?.Transport.Equals("TCP", StringComparison.OrdinalIgnoreCase) == true ? _tcpLayer : _udpLayer;

    public void OnAck(SipRequest ack, ServerInviteTransaction? transaction, IPEndPoint source)
    {
        if (ack.CallId is not { } id) return;
        if (_byCallerCallId.TryGetValue(id, out var s)) s.OnAck();
        else if (_relayByPeerCallId.TryGetValue(id, out var relay)) relay.PeerDialog?.Confirm();
    }

    public void OnTerminated(SipTransaction transaction)
    {
        if (transaction is ClientTransaction client) _relayPending.TryRemove(client, out _);
        if (transaction is ServerInviteTransaction { TerminationReason: TerminationReason.NoAck } unacked
            && unacked.Request.CallId is { } rid && _relayByPeerCallId.TryGetValue(rid, out var relay) && relay.PhoneDialog is { } phone)
        {
            SendBye(phone, relay.PhoneLayer); // the peer never acknowledged our 2xx
            ForgetRelay(relay);
        }
        if (transaction is ServerInviteTransaction { TerminationReason: TerminationReason.NoAck } invite
            && invite.Request.CallId is { } id && _byCallerCallId.TryGetValue(id, out var s))
            s.OnAnswerNotAcknowledged();
    }

    public void OnCancel(ServerTransaction cancel, ServerInviteTransaction invite)
    {
        Respond(cancel, SipResponse.CreateFor(cancel.Request, 200, null, invite.LocalTag));
        if (invite.State == TransactionState.Proceeding) Respond(invite, invite.CreateResponse(487));
        if (invite.Request.CallId is not { } id) return;
        if (_byCallerCallId.TryGetValue(id, out var s)) s.OnCallerHangUp();
        else if (_relayByPeerCallId.TryGetValue(id, out var relay)) OnRelayCancelled(relay);
    }

    public void OnResponse(ClientTransaction tx, SipResponse response)
    {
        if (response.IsFinal) GatewayMetrics.SipResponses.Add(1, new KeyValuePair<string, object?>("class", GatewayMetrics.ClassOf(response.StatusCode)));
        if (_relayPending.TryGetValue(tx, out var pending))
        {
            if (response.IsFinal && _relayPending.TryRemove(tx, out _)) RelayResponse(tx, response, pending.Origin, pending.Onward, pending.Relay);
            return;
        }
        if (tx.Request.Method != SipMethod.Invite) return; // BYE/NOTIFY answers need nothing more
        if (tx.Request.CallId is not { } callId) return;
        if (_relayByPhoneCallId.TryGetValue(callId, out var relay))
        {
            OnPhoneResponse(relay, response);
            return;
        }
        if (!_byOutgoingCallId.TryGetValue(callId, out var entry)) return;
        var (session, leg) = entry;
        if (response.IsProvisional) return;
        if (response.IsSuccess) OnOutgoingOk(session, leg, response);
        else
        {
            _byOutgoingCallId.TryRemove(callId, out _);
            session.OnOutgoingFailed(leg, response.StatusCode);
        }
    }

    public void OnStrayResponse(SipResponse response, IPEndPoint source)
    {
        // A retransmitted 2xx to our INVITE: the ACK was lost, send it again (RFC 3261 §13.2.2.4).
        if (!response.IsSuccess || response.CSeq?.Method != SipMethod.Invite) return;
        if (response.CallId is not { } id) return;
        if (_byOutgoingCallId.TryGetValue(id, out var e) && e.Leg.Dialog is { } d)
            e.Leg.Layer.SendStateless(d.CreateAck(response), source);
        else if (_relayByPhoneCallId.TryGetValue(id, out var relay) && relay.PhoneDialog is { } phone)
            relay.PhoneLayer.SendStateless(phone.CreateAck(response), source);
    }

    // ---- inbound calls ---------------------------------------------------------------------------

    private async Task NewCall(ServerInviteTransaction tx, SipRequest invite)
    {
        var layer = LayerOf(tx);
        if (SipDialog.DialogProblem(invite) is { } problem)
        {
            Reject(tx, 400, problem);
            return;
        }
        if (_byCall.Count >= Options.MaxCalls)
        {
            var busy = tx.CreateResponse(503);
            busy.AddHeader("Retry-After", Options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Respond(tx, busy);
            GatewayMetrics.Calls.Add(1, new KeyValuePair<string, object?>("outcome", "overload-503"));
            return;
        }
        var number = invite.RequestUri.UserUnescaped ?? invite.To?.Uri.UserUnescaped ?? "";
        var config = _config.Current;
        var tenant = config.FindTenantByNumber(number);
        string? directQueue = null;
        // A trunk (the client's own PBX, a carrier) is known by the address its INVITE comes from: its calls are its
        // tenant's whatever number they carry (a PBX sends its own extension numbers), and may skip the menu.
        if (config.FindTrunk(tx.Remote.Address) is { } trunk)
        {
            if (tenant is not null && tenant.Id != trunk.Tenant.Id)
            {
                Reject(tx, 403, $"trunk {trunk.Trunk.Name} delivers calls for tenant {trunk.Tenant.Id} only");
                return;
            }
            if (tenant is null) number = trunk.Tenant.Numbers.FirstOrDefault() ?? number;
            tenant = trunk.Tenant;
            directQueue = trunk.Trunk.Queue;
        }
        if (tenant is null)
        {
            Reject(tx, 404, $"number {number} is not served here");
            return;
        }
        if (invite.ContentType?.Is("application", "sdp") != true || invite.Body.IsEmpty)
        {
            Reject(tx, 488, "an SDP offer is required");
            return;
        }
        if (!SessionDescription.TryParse(Encoding.UTF8.GetString(invite.Body.Span), out var offer, out var sdpError) || offer is null)
        {
            Reject(tx, 400, $"malformed SDP: {sdpError}");
            return;
        }
        RtpSocket socket;
        try
        {
            socket = _ports.Open();
        }
        catch (InvalidOperationException)
        {
            var busy = tx.CreateResponse(503);
            busy.AddHeader("Retry-After", Options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Respond(tx, busy);
            return;
        }
        var local = new LocalMedia(Advertised.ToString(), socket.LocalEndPoint.Port);
        var answer = _sdp.Answer(offer, local);
        if (!answer.IsAccepted)
        {
            socket.Dispose();
            Reject(tx, 488, answer.FailureReason ?? "no common codec");
            return;
        }
        var media = new MediaLeg("caller", socket, _clock);
        GatewayMetrics.RtpStreams.Add(1);
        media.Negotiated(answer.Audio!);
        var id = CallId.New(tenant.Id);
        var session = new CallSession(this, id, tenant, tx, layer, media);
        _byCall[id] = session;
        _byCallerCallId[invite.CallId!] = session;
        GatewayMetrics.ActiveCalls.Add(1);

        var caller = invite.From?.Uri.UserUnescaped ?? invite.From?.DisplayName ?? "anonymous";
        try
        {
            var reply = await _regions.Calls.Ask<CallCommandReply>(new CallEnvelope(id.Value, new CallCommand.Start(number, caller, _channel, Queue: directQueue)), TimeSpan.FromSeconds(5));
            if (!reply.Reply.Accepted) throw new InvalidOperationException(reply.Reply.Reason);
        }
        catch (Exception e)
        {
            _log.Warning("call {0} could not start: {1}", id, e.Message);
            var busy = tx.CreateResponse(503);
            busy.AddHeader("Retry-After", Options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Respond(tx, busy);
            session.Close();
            GatewayMetrics.Calls.Add(1, new KeyValuePair<string, object?>("outcome", "overload-503"));
            return;
        }
        GatewayMetrics.Calls.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));
        session.Answer(answer.Answer, ContactUri(layer));
    }

    private static void Reject(ServerTransaction tx, int status, string why)
    {
        var r = tx.CreateResponse(status);
        r.AddHeader("Warning", $"399 routing \"{why.Replace("\"", "'", StringComparison.Ordinal)}\"");
        Respond(tx, r);
        GatewayMetrics.Calls.Add(1, new KeyValuePair<string, object?>("outcome", $"rejected-{status}"));
    }

    private SipUri ContactUri(SipTransactionLayer layer) =>
        layer == _tcpLayer
            ? SipUri.Create(Advertised.ToString(), "routing", SipEndPoint.Port, false, new SipParameter("transport", "tcp"))
            : SipUri.Create(Advertised.ToString(), "routing", SipEndPoint.Port);

    private void InDialog(ServerTransaction tx, SipRequest request)
    {
        var callId = request.CallId ?? "";
        if (_byCallerCallId.TryGetValue(callId, out var session) && session.CallerDialog is { } dialog)
        {
            if (!dialog.TryAcceptRequest(request, out var rejection))
            {
                Respond(tx, rejection!);
                return;
            }
            switch (request.Method)
            {
                case SipMethod.Bye:
                    Respond(tx, tx.CreateResponse(200));
                    dialog.Terminate();
                    session.OnCallerHangUp();
                    return;
                case SipMethod.Info:
                    if (SipInfoDtmf.TryParse(request.ContentType?.ToString(), Encoding.UTF8.GetString(request.Body.Span), out var digit))
                        session.OnInfoDigit(digit.Digit);
                    Respond(tx, tx.CreateResponse(200));
                    return;
                case SipMethod.Invite:
                case SipMethod.Update:
                    Reoffer(tx, request, session.CallerMedia, dialog);
                    return;
                default:
                    Respond(tx, tx.CreateResponse(request.Method == SipMethod.Refer ? 403 : 200));
                    return;
            }
        }
        if (_byOutgoingCallId.TryGetValue(callId, out var e) && e.Leg.Dialog is { } od)
        {
            if (!od.TryAcceptRequest(request, out var rejection))
            {
                Respond(tx, rejection!);
                return;
            }
            switch (request.Method)
            {
                case SipMethod.Bye:
                    Respond(tx, tx.CreateResponse(200));
                    od.Terminate();
                    _byOutgoingCallId.TryRemove(callId, out _);
                    e.Session.OnOutgoingHangUp(e.Leg);
                    return;
                case SipMethod.Refer:
                    OnRefer(tx, request, e.Session, e.Leg, od);
                    return;
                case SipMethod.Invite:
                case SipMethod.Update:
                    Reoffer(tx, request, e.Leg.Media, od);
                    return;
                default:
                    Respond(tx, tx.CreateResponse(200));
                    return;
            }
        }
        if (_relayByPeerCallId.TryGetValue(callId, out var relay))
        {
            RelayInDialog(tx, request, relay, fromPeer: true);
            return;
        }
        if (_relayByPhoneCallId.TryGetValue(callId, out relay))
        {
            RelayInDialog(tx, request, relay, fromPeer: false);
            return;
        }
        Respond(tx, tx.CreateResponse(481));
    }

    /// <summary>A re-INVITE (hold, codec change, new address): answer with the same local port and update the remote.</summary>
    private void Reoffer(ServerTransaction tx, SipRequest request, MediaLeg media, SipDialog dialog)
    {
        if (request.Body.IsEmpty || !SessionDescription.TryParse(Encoding.UTF8.GetString(request.Body.Span), out var offer, out _) || offer is null)
        {
            Respond(tx, tx.CreateResponse(488));
            return;
        }
        var answer = _sdp.Answer(offer, new LocalMedia(Advertised.ToString(), media.LocalEndPoint.Port));
        if (!answer.IsAccepted)
        {
            Respond(tx, tx.CreateResponse(488));
            return;
        }
        media.Negotiated(answer.Audio!);
        var ok = tx.CreateResponse(200);
        ok.AddHeader(new ContactHeader(dialog.LocalContact));
        ok.AddHeader(new ContentTypeHeader("application", "sdp"));
        ok.Body = Encoding.ASCII.GetBytes(answer.Answer.ToString());
        Respond(tx, ok);
    }

    /// <summary>Blind transfer by the operator (RFC 3515): to a queue of the tenant, or to any SIP address.</summary>
    private void OnRefer(ServerTransaction tx, SipRequest refer, CallSession session, OperatorLeg leg, SipDialog dialog)
    {
        var referTo = refer.GetHeaderValue("Refer-To") ?? refer.GetHeaderValue("r");
        if (referTo is null)
        {
            Respond(tx, tx.CreateResponse(400, "Missing Refer-To"));
            return;
        }
        var text = referTo.Trim();
        var lt = text.IndexOf('<');
        if (lt >= 0 && text.IndexOf('>', lt) is var gt and > 0) text = text[(lt + 1)..gt];
        if (!SipUri.TryParse(text, out var uri))
        {
            Respond(tx, tx.CreateResponse(400, "Bad Refer-To"));
            return;
        }
        var user = uri.UserUnescaped ?? "";
        var isLocal = uri.Host == Advertised.ToString() || uri.Host == SipEndPoint.ToString() || _directory.IsGatewayHost(uri.Host, uri.Port)
            || session.Tenant.Queues.Any(q => q.Id.Name == user);
        var target = isLocal ? user : uri.WithoutHeaders().ToString();
        Respond(tx, tx.CreateResponse(202));
        _ = Transfer(session, leg, dialog, target);
    }

    private async Task Transfer(CallSession session, OperatorLeg leg, SipDialog dialog, string target)
    {
        var ok = false;
        try
        {
            var reply = await _regions.Calls.Ask<CallCommandReply>(new CallEnvelope(session.Id.Value, new CallCommand.Transfer(target, leg.Operator?.Value ?? "operator")), TimeSpan.FromSeconds(5));
            ok = reply.Reply.Accepted;
        }
        catch (AskTimeoutException)
        {
        }
        var notify = dialog.CreateRequest(SipMethod.Notify);
        notify.AddHeader("Event", "refer");
        notify.AddHeader("Subscription-State", "terminated;reason=noresource");
        notify.AddHeader(new ContentTypeHeader("message", "sipfrag"));
        notify.Body = Encoding.ASCII.GetBytes(ok ? "SIP/2.0 200 OK\r\n" : "SIP/2.0 603 Declined\r\n");
        if (dialog.RemoteEndPoint is { } to) leg.Layer.SendRequest(notify, NextHop(dialog, to));
    }

    // ---- outgoing legs ---------------------------------------------------------------------------

    /// <summary>Rings the operator's registered phone, at the address its REGISTER really came from; a phone registered
    /// at another gateway of the cluster is rung through that gateway.</summary>
    internal void RingOperator(CallSession session, OperatorId op)
    {
        if (!_registrar.TryGetBinding(op.Value, out var binding))
        {
            if (PeerFor(op.Value) is { } peer)
            {
                var via = SipUri.Create(peer.Sip.Address.ToString(), op.Value, peer.Sip.Port);
                Dial(session, op, op.Value, via, via, peer.Sip, _udpLayer, relayed: true);
                return;
            }
            Report(session.Id, new CallCommand.Reject(op, "device-lost"));
            return;
        }
        var layer = binding.Transport.Equals("TCP", StringComparison.OrdinalIgnoreCase) ? _tcpLayer : _udpLayer;
        var to = SipUri.Create(Advertised.ToString(), op.Value, SipEndPoint.Port);
        Dial(session, op, op.Value, binding.Contact, to, binding.Source, layer);
    }

    /// <summary>Places the call to an external SIP address (transfer or overflow out) and joins it to the caller.</summary>
    internal void Forward(CallSession session, string target)
    {
        if (!SipUri.TryParse(target, out var uri))
        {
            session.HangUpAll();
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                var addresses = IPAddress.TryParse(uri.Host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(uri.Host);
                var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.First();
                var layer = string.Equals(uri.Transport, "tcp", StringComparison.OrdinalIgnoreCase) ? _tcpLayer : _udpLayer;
                Dial(session, null, target, uri, uri, new IPEndPoint(address, uri.Port ?? 5060), layer);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
            {
                _log.Warning("forward of {0} to {1} failed: {2}", session.Id, target, e.Message);
                session.HangUpAll();
            }
        });
    }

    private void Dial(CallSession session, OperatorId? op, string target, SipUri requestUri, SipUri toUri, IPEndPoint destination, SipTransactionLayer layer, bool relayed = false)
    {
        RtpSocket socket;
        try
        {
            socket = _ports.Open();
        }
        catch (InvalidOperationException)
        {
            if (op is { } o) Report(session.Id, new CallCommand.Reject(o, "gateway-out-of-media-ports"));
            return;
        }
        GatewayMetrics.RtpStreams.Add(1);
        // Offer the caller's codec first: when the phone takes it, the bridge relays payloads untouched instead of
        // transcoding PCMA <-> PCMU on every packet.
        var local = new LocalMedia(Advertised.ToString(), socket.LocalEndPoint.Port);
        if (session.CallerMedia.Audio?.Codec is { } callerCodec)
            local = local with { Codecs = [.. local.Codecs.OrderBy(c => c.PayloadType == callerCodec.PayloadType ? 0 : 1)] };
        var offer = _sdp.CreateOffer(local);
        var media = new MediaLeg(op is null ? "forward" : $"operator {op}", socket, _clock);
        var leg = new OperatorLeg(op, target, layer, destination, media, local, offer);

        var caller = session.Invite.Request.From;
        var invite = SipRequest.Create(SipMethod.Invite, requestUri,
            SipUri.Create(Advertised.ToString(), caller?.Uri.User ?? "routing", SipEndPoint.Port), toUri, ContactUri(layer),
            SipRequest.NewCallId(Advertised.ToString()), fromDisplayName: caller?.DisplayName);
        invite.AddHeader("Allow", Allow);
        if (relayed) invite.AddHeader(RelayHeader, _selfNode);
        invite.AddHeader(new ContentTypeHeader("application", "sdp"));
        invite.Body = Encoding.ASCII.GetBytes(offer.ToString());
        leg.InviteRequest = invite;
        if (!session.SetOutgoing(leg))
        {
            media.Dispose();
            GatewayMetrics.RtpStreams.Add(-1);
            return;
        }
        _byOutgoingCallId[invite.CallId!] = (session, leg);
        GatewayMetrics.SipTransactions.Add(1, new KeyValuePair<string, object?>("method", SipMethod.Invite));
        leg.Invite = (ClientInviteTransaction)layer.SendRequest(invite, destination);
    }

    private void OnOutgoingOk(CallSession session, OperatorLeg leg, SipResponse ok)
    {
        var dialog = leg.Dialog;
        if (dialog is null)
        {
            dialog = SipDialog.CreateUac(leg.InviteRequest!, ok);
            dialog.RemoteEndPoint = leg.Destination;
            leg.Dialog = dialog;
        }
        dialog.OnResponse(ok);
        leg.Layer.SendStateless(dialog.CreateAck(ok), NextHop(dialog, leg.Destination));
        if (leg.Answered) return; // a retransmitted 2xx
        leg.Answered = true;
        if (leg.Abandoned || session.Ended || session.Outgoing != leg)
        {
            session.SendBye(dialog, leg.Layer); // answered after we gave up on it (CANCEL crossed the 200)
            _byOutgoingCallId.TryRemove(leg.CallId, out _);
            return;
        }
        SdpAnswerOutcome outcome = ok.Body.IsEmpty || !SessionDescription.TryParse(Encoding.UTF8.GetString(ok.Body.Span), out var sdp, out _) || sdp is null
            ? new SdpAnswerOutcome(null, "no SDP answer")
            : SdpNegotiator.ProcessAnswer(leg.Offer, sdp, leg.Local);
        if (!outcome.IsAccepted)
        {
            session.SendBye(dialog, leg.Layer);
            _byOutgoingCallId.TryRemove(leg.CallId, out _);
            session.OnOutgoingFailed(leg, 488);
            return;
        }
        leg.Media.Negotiated(outcome.Audio!);
        session.OnOutgoingAnswered(leg);
    }

    /// <summary>Tells the call entity the operator picked up; if it refuses (too late), the operator leg is hung up.</summary>
    internal void AnswerFor(CallSession session, OperatorLeg leg, OperatorId op)
    {
        _ = Task.Run(async () =>
        {
            var accepted = false;
            try
            {
                var reply = await _regions.Calls.Ask<CallCommandReply>(new CallEnvelope(session.Id.Value, new CallCommand.Answer(op)), TimeSpan.FromSeconds(10));
                accepted = reply.Reply.Accepted;
            }
            catch (AskTimeoutException)
            {
            }
            if (!accepted && session.Outgoing == leg) session.DropOutgoing();
        });
    }

    /// <summary>Where an in-dialog request goes: the first route if any, else where the peer's messages come from.</summary>
    internal IPEndPoint NextHop(SipDialog dialog, IPEndPoint fallback) => dialog.RemoteEndPoint ?? fallback;

    // ---- cluster side ----------------------------------------------------------------------------

    internal void OnInstruction(ChannelInstruction instruction)
    {
        if (_byCall.TryGetValue(instruction.Call, out var session)) session.OnInstruction(instruction);
    }

    internal void Report(CallId id, CallCommand command) =>
        _regions.Calls.Tell(new CallEnvelope(id.Value, command), ActorRefs.NoSender);

    internal async Task<(int? Position, double? Ewt)> Estimate(CallId id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var view = await _routing.GetCall(id, cts.Token);
            return (view.Position, view.ExpectedWaitSeconds);
        }
        catch (Exception)
        {
            return (null, null); // the announcement is a courtesy: music plays without it
        }
    }

    private void OnBindingRemoved(SipBinding binding, string reason)
    {
        GatewayMetrics.Registrations.Add(-1);
        PublishContacts();
        if (_registrar.TryGetBinding(binding.User, out _)) return; // another phone of the operator is still there
        var op = new OperatorId(binding.User);
        if (_config.Current.FindOperator(op) is null) return;
        // The phone is gone: the operator must not be offered calls it cannot ring (reconciliation, not a log-out).
        _regions.Operators.Tell(new OperatorEnvelope(op.Value, new OperatorCommand.MakeNotReady("device-lost")), ActorRefs.NoSender);
    }

    internal void Forget(CallSession session)
    {
        if (_byCall.TryRemove(session.Id, out _)) GatewayMetrics.ActiveCalls.Add(-1);
        if (session.Invite.Request.CallId is { } cid) _byCallerCallId.TryRemove(cid, out _);
        if (session.Outgoing is { } leg) _byOutgoingCallId.TryRemove(leg.CallId, out _);
    }

    /// <summary>Ends every call this gateway carries (graceful stop): each call entity records the hang-up.</summary>
    public void HangUpAll()
    {
        foreach (var s in _byCall.Values)
        {
            Report(s.Id, new CallCommand.Fail("gateway stopped"));
            s.HangUpAll();
        }
    }

    public void Dispose()
    {
        HangUpAll();
        _clock.Dispose();
        _udpLayer.Dispose();
        _tcpLayer.Dispose();
        _udp.Dispose();
        _tcp.Dispose();
        _registrar.Dispose();
    }
}

/// <summary>RTP packet counters of one call: caller leg in/out, operator leg in/out, relayed each way.</summary>
public sealed record MediaStats(long CallerReceived, long CallerSent, long OperatorReceived, long OperatorSent, long RelayedCallerToOperator, long RelayedOperatorToCaller);
