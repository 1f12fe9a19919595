using System.Net;
using System.Security.Cryptography;
using Routing.Sip.Message;

namespace Routing.Sip.Dialogs;

public enum DialogState
{
    /// <summary>Created by a provisional response with a To tag (RFC 3261 §12.1).</summary>
    Early,
    Confirmed,
    Terminated,
}

/// <summary>
/// The state of one dialog at a UA (RFC 3261 §12): identity, local and remote URIs, remote target, route set and
/// CSeq counters. It builds the requests sent in the dialog (BYE, re-INVITE, INFO, REFER, NOTIFY, UPDATE, and the
/// ACK for a 2xx) and checks the ones received (CSeq order, target refresh). It sends nothing itself. Thread-safe.
/// </summary>
public sealed class SipDialog
{
    /// <summary>Methods whose requests and 2xx responses replace the remote target (RFC 3261 §12.2, RFC 3311, RFC 6665).</summary>
    private static readonly HashSet<string> TargetRefreshMethods = new(StringComparer.Ordinal)
        { SipMethod.Invite, SipMethod.Update, SipMethod.Subscribe, SipMethod.Notify, SipMethod.Refer };

    private readonly Lock _gate = new();
    private readonly IReadOnlyList<SipHeader> _inviteCredentials;
    private readonly ViaHeader? _inviteVia;
    private SipUri _remoteTarget;
    private IReadOnlyList<RouteHeader> _routeSet;
    private uint _localSequence;
    private uint? _remoteSequence;
    private DialogState _state;

    private SipDialog(bool isUac, string callId, string localTag, string remoteTag, SipUri localUri, SipUri remoteUri,
        SipUri localContact, SipUri remoteTarget, IReadOnlyList<RouteHeader> routeSet, uint localSequence, uint? remoteSequence,
        bool secure, DialogState state, IReadOnlyList<SipHeader> inviteCredentials, ViaHeader? inviteVia)
    {
        IsUac = isUac;
        Key = new DialogKey(callId, localTag, remoteTag);
        LocalUri = localUri;
        RemoteUri = remoteUri;
        LocalContact = localContact;
        _remoteTarget = remoteTarget;
        _routeSet = routeSet;
        _localSequence = localSequence;
        _remoteSequence = remoteSequence;
        IsSecure = secure;
        _state = state;
        _inviteCredentials = inviteCredentials;
        _inviteVia = inviteVia;
    }

    /// <summary>True when this UA sent the dialog-forming INVITE.</summary>
    public bool IsUac { get; }
    public DialogKey Key { get; }
    public string CallId => Key.CallId;
    public string LocalTag => Key.LocalTag;
    public string RemoteTag => Key.RemoteTag;
    /// <summary>The From URI of our requests (To of theirs).</summary>
    public SipUri LocalUri { get; }
    public SipUri RemoteUri { get; }
    /// <summary>Our Contact, put on target-refresh requests.</summary>
    public SipUri LocalContact { get; }
    public bool IsSecure { get; }

    /// <summary>
    /// Where the peer's dialog-forming message really came from. Behind a NAT the remote target names a private
    /// address; the gateway sets this (or the registrar's binding source) and sends in-dialog requests there.
    /// </summary>
    public IPEndPoint? RemoteEndPoint { get; set; }

    public DialogState State { get { lock (_gate) return _state; } }

    /// <summary>The peer's Contact: the Request-URI of requests we send (RFC 3261 §12.2.1.1).</summary>
    public SipUri RemoteTarget { get { lock (_gate) return _remoteTarget; } }

    /// <summary>The route set in the order our requests carry it as Route headers.</summary>
    public IReadOnlyList<SipUri> RouteSet { get { lock (_gate) return _routeSet.Select(r => r.Uri).ToList(); } }

    /// <summary>The CSeq of the last request we sent (0 until a UAS sends its first).</summary>
    public uint LocalSequence { get { lock (_gate) return _localSequence; } }

    /// <summary>The CSeq of the last request received; null until the first.</summary>
    public uint? RemoteSequence { get { lock (_gate) return _remoteSequence; } }

    /// <summary>The URI our next in-dialog request goes to first: the top Route, else the remote target.</summary>
    public SipUri NextHop
    {
        get
        {
            lock (_gate) return _routeSet.Count > 0 ? _routeSet[0].Uri : _remoteTarget;
        }
    }

    /// <summary>Why <paramref name="invite"/> cannot form a dialog at a UAS (answer 400 with it), or null when it can.</summary>
    public static string? DialogProblem(SipRequest invite)
    {
        if (invite.CallId is null) return "Missing Call-ID";
        if (invite.From is null) return "Missing From";
        if (invite.To is null) return "Missing To";
        if (invite.CSeq is null) return "Missing CSeq";
        var contacts = invite.Contacts;
        if (contacts.Count != 1 || contacts[0].IsStar) return "A dialog-forming request needs exactly one Contact URI";
        return null;
    }

    /// <summary>
    /// The UAS side (RFC 3261 §12.1.1), created when answering <paramref name="invite"/> with a To tag: route set from
    /// Record-Route in order, remote target from Contact, remote CSeq from the request. Starts <see cref="DialogState.Early"/>;
    /// call <see cref="Confirm"/> once the 2xx is sent.
    /// </summary>
    /// <exception cref="ArgumentException">The request cannot form a dialog (see <see cref="DialogProblem"/>).</exception>
    public static SipDialog CreateUas(SipRequest invite, string localTag, SipUri localContact)
    {
        if (DialogProblem(invite) is { } problem) throw new ArgumentException(problem, nameof(invite));
        var routeSet = invite.RecordRoutes.Select(ToRoute).ToList();
        return new SipDialog(false, invite.CallId!, localTag, invite.From!.Tag ?? "", invite.To!.Uri, invite.From.Uri, localContact,
            invite.Contacts[0].Uri.WithoutHeaders(), routeSet, 0, invite.CSeq!.Sequence,
            invite.RequestUri.IsSecure, DialogState.Early, [], null);
    }

    /// <summary>
    /// The UAC side (RFC 3261 §12.1.2) from a response to our <paramref name="invite"/> that carries a To tag: early
    /// for 1xx, confirmed for 2xx. Route set from Record-Route reversed; remote target from Contact (the Request-URI
    /// until a response brings one).
    /// </summary>
    /// <exception cref="ArgumentException">The response cannot create a dialog (no To tag, not 1xx/2xx, not for this INVITE).</exception>
    public static SipDialog CreateUac(SipRequest invite, SipResponse response)
    {
        if (response.StatusCode is <= 100 or >= 300) throw new ArgumentException("Only 101-299 responses create dialogs", nameof(response));
        var remoteTag = response.To?.Tag ?? throw new ArgumentException("The response has no To tag", nameof(response));
        var localTag = invite.From?.Tag ?? throw new ArgumentException("The INVITE has no From tag", nameof(invite));
        if (response.CallId != invite.CallId || response.From?.Tag != localTag)
            throw new ArgumentException("The response is not for this INVITE", nameof(response));
        var contact = invite.Contacts.FirstOrDefault(c => !c.IsStar)?.Uri
                      ?? throw new ArgumentException("The INVITE has no Contact", nameof(invite));
        var routeSet = response.RecordRoutes.Reverse().Select(ToRoute).ToList();
        var target = response.Contacts.FirstOrDefault(c => !c.IsStar)?.Uri.WithoutHeaders() ?? invite.RequestUri;
        var credentials = invite.Headers.Where(h => h.Kind is HeaderKind.Authorization or HeaderKind.ProxyAuthorization).ToList();
        return new SipDialog(true, invite.CallId!, localTag, remoteTag, invite.From!.Uri, invite.To!.Uri, contact, target, routeSet,
            invite.CSeq?.Sequence ?? 1, null, invite.RequestUri.IsSecure,
            response.IsSuccess ? DialogState.Confirmed : DialogState.Early, credentials, invite.TopVia?.Clone() as ViaHeader);
    }

    /// <summary>
    /// A request inside the dialog (RFC 3261 §12.2.1.1): From/To with the tags, Call-ID, the next local CSeq,
    /// Max-Forwards 70, Request-URI and Route from the remote target and route set (loose routing when the first
    /// route has lr, else the strict-routing rewrite), and Contact for target-refresh methods. No Via: the
    /// transaction layer adds it. Not for ACK (see <see cref="CreateAck"/>) or CANCEL (it copies the INVITE).
    /// </summary>
    public SipRequest CreateRequest(string method)
    {
        if (method is SipMethod.Ack or SipMethod.Cancel)
            throw new ArgumentException($"{method} is not built by the dialog; use CreateAck, or a CANCEL built from the INVITE", nameof(method));
        lock (_gate)
        {
            if (_state == DialogState.Terminated) throw new InvalidOperationException("The dialog is terminated");
            if (_localSequence == 0) _localSequence = InitialSequence();
            else _localSequence++;
            var request = BuildRequest(method, _localSequence);
            if (TargetRefreshMethods.Contains(method)) request.AddHeader(new ContactHeader(LocalContact));
            return request;
        }
    }

    /// <summary>
    /// The ACK for a 2xx to an INVITE of this dialog (RFC 3261 §13.2.2.4): the INVITE's CSeq number with method ACK,
    /// Request-URI and Route as for any in-dialog request, the INVITE's credentials, and a Via with a new branch
    /// (sent-by taken from the initial INVITE). Send it with <c>SipTransactionLayer.SendStateless</c>; resend it for
    /// every retransmission of the 2xx.
    /// </summary>
    public SipRequest CreateAck(SipResponse twoHundred)
    {
        if (!twoHundred.IsSuccess || twoHundred.CSeq is not { Method: SipMethod.Invite } cseq)
            throw new ArgumentException("An ACK of this kind answers only a 2xx to an INVITE", nameof(twoHundred));
        lock (_gate)
        {
            var ack = BuildRequest(SipMethod.Ack, cseq.Sequence);
            if (_inviteVia is not null)
            {
                var via = new ViaHeader(_inviteVia.Transport, _inviteVia.Host, _inviteVia.Port, SipRequest.NewBranch());
                if (_inviteVia.HasRport) via.Parameters.Add("rport", null);
                ack.Headers.Insert(0, via);
            }
            foreach (var credential in _inviteCredentials) ack.AddHeader(credential.Clone());
            return ack;
        }
    }

    private SipRequest BuildRequest(string method, uint sequence)
    {
        SipUri requestUri;
        var routes = new List<RouteHeader>(_routeSet.Count + 1);
        if (_routeSet.Count == 0)
        {
            requestUri = _remoteTarget;
        }
        else if (_routeSet[0].Uri.LooseRouting)
        {
            requestUri = _remoteTarget;
            routes.AddRange(_routeSet.Select(r => (RouteHeader)r.Clone()));
        }
        else
        {
            // Strict router (RFC 3261 §12.2.1.1): it gets the Request-URI, the remote target goes last in Route.
            requestUri = StripForRequestUri(_routeSet[0].Uri);
            routes.AddRange(_routeSet.Skip(1).Select(r => (RouteHeader)r.Clone()));
            routes.Add(new RouteHeader(_remoteTarget));
        }

        var request = new SipRequest(method, requestUri.Clone());
        foreach (var route in routes) request.AddHeader(route);
        request.AddHeader(new MaxForwardsHeader(70));
        request.AddHeader(new FromHeader(LocalUri, null, LocalTag));
        request.AddHeader(new ToHeader(RemoteUri, null, RemoteTag.Length > 0 ? RemoteTag : null));
        request.AddHeader(new CallIdHeader(CallId));
        request.AddHeader(new CSeqHeader(sequence, method));
        return request;
    }

    /// <summary>
    /// Checks a request received in this dialog (RFC 3261 §12.2.2). A CSeq lower than the last one gets 500
    /// (returned in <paramref name="rejection"/>; answer it and drop the request). Otherwise the remote CSeq is
    /// recorded, and a target-refresh request with a Contact replaces the remote target. ACK and CANCEL carry the
    /// INVITE's CSeq and are not checked.
    /// </summary>
    public bool TryAcceptRequest(SipRequest request, out SipResponse? rejection)
    {
        rejection = null;
        if (request.Method is SipMethod.Ack or SipMethod.Cancel) return true;
        var sequence = request.CSeq?.Sequence;
        lock (_gate)
        {
            if (_state == DialogState.Terminated)
            {
                rejection = SipResponse.CreateFor(request, 481);
                return false;
            }
            if (sequence is null || (_remoteSequence is { } last && sequence < last))
            {
                rejection = SipResponse.CreateFor(request, 500, "Out of order CSeq");
                rejection.AddHeader("Retry-After", "0");
                return false;
            }
            _remoteSequence = sequence;
            if (TargetRefreshMethods.Contains(request.Method) && request.Contacts.FirstOrDefault(c => !c.IsStar) is { } contact)
                _remoteTarget = contact.Uri.WithoutHeaders();
            return true;
        }
    }

    /// <summary>
    /// A response to a request we sent in this dialog. A 2xx to INVITE confirms an early dialog (route set
    /// recomputed from it, RFC 3261 §13.2.2.4); a 2xx to a target-refresh request replaces the remote target
    /// (§12.2.1.2); 481 and 408 to any request end the dialog (§12.2.1.2).
    /// </summary>
    public void OnResponse(SipResponse response)
    {
        var method = response.CSeq?.Method;
        lock (_gate)
        {
            if (_state == DialogState.Terminated) return;
            if (response.StatusCode is 481 or 408)
            {
                _state = DialogState.Terminated;
                return;
            }
            if (!response.IsSuccess || method is null) return;
            if (method == SipMethod.Invite && _state == DialogState.Early && IsUac)
            {
                _routeSet = response.RecordRoutes.Reverse().Select(ToRoute).ToList();
                _state = DialogState.Confirmed;
            }
            if (TargetRefreshMethods.Contains(method) && response.Contacts.FirstOrDefault(c => !c.IsStar) is { } contact)
                _remoteTarget = contact.Uri.WithoutHeaders();
        }
    }

    /// <summary>The UAS sent its 2xx (or the UAC got one by other means): the early dialog is confirmed.</summary>
    public void Confirm()
    {
        lock (_gate)
            if (_state == DialogState.Early) _state = DialogState.Confirmed;
    }

    /// <summary>BYE sent or received, or the early dialog's INVITE failed.</summary>
    public void Terminate()
    {
        lock (_gate) _state = DialogState.Terminated;
    }

    public override string ToString() => $"Dialog({Key}, {State}, {(IsUac ? "UAC" : "UAS")})";

    private static RouteHeader ToRoute(RecordRouteHeader recordRoute)
    {
        var route = new RouteHeader(recordRoute.Uri.Clone(), recordRoute.DisplayName);
        foreach (var p in recordRoute.Parameters) route.Parameters.Add(p.Name, p.Value);
        return route;
    }

    /// <summary>Parameters not allowed in a Request-URI (RFC 3261 §19.1.1 table): method, and URI headers.</summary>
    private static SipUri StripForRequestUri(SipUri uri)
    {
        var bare = uri.WithoutHeaders();
        bare.Parameters.Remove("method");
        return bare;
    }

    /// <summary>RFC 3261 §8.1.1.5: the first CSeq is chosen freely below 2^31; random keeps restarts distinguishable.</summary>
    private static uint InitialSequence() => (uint)RandomNumberGenerator.GetInt32(1, 1 << 20);
}
