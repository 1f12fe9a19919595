using System.Net;
using Akka.Actor;
using Routing.Cluster.Entities;
using Routing.Cluster.Messages;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Config;
using Routing.Gateway.Media;
using Routing.Media.Prompts;
using Routing.Media.Sdp;
using Routing.Sip.Dialogs;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Gateway.Calls;

/// <summary>
/// One inbound SIP call at the gateway: the caller's leg (answered at once so the menu can play), and at most one
/// outgoing leg at a time (an operator's phone ringing or connected, or an external forward). It carries out the
/// call entity's channel instructions and reports what the phones do (digits, answer, busy, hang-up) back to it.
/// It decides nothing about routing.
/// </summary>
internal sealed class CallSession
{
    private readonly Lock _gate = new();
    private readonly SipGateway _gw;
    private readonly string _language;
    private string _menuPath = "";
    private string _lastDigits = "";
    private bool _holding;
    private int _holdGeneration;
    private bool _welcomed;
    private bool _closingAfterPrompt;

    public CallSession(SipGateway gw, CallId id, TenantConfig tenant, ServerInviteTransaction invite, SipTransactionLayer layer, MediaLeg caller)
    {
        _gw = gw;
        Id = id;
        Tenant = tenant;
        _language = tenant.Language;
        Invite = invite;
        Layer = layer;
        CallerMedia = caller;
        caller.Digit += d => OnDigit(d);
    }

    public CallId Id { get; }
    public TenantConfig Tenant { get; }
    public ServerInviteTransaction Invite { get; }
    public SipTransactionLayer Layer { get; }
    public MediaLeg CallerMedia { get; }
    public SipDialog? CallerDialog { get; private set; }
    public SipResponse? Ok { get; private set; }
    public OperatorLeg? Outgoing { get; private set; }
    public bool Ended { get; private set; }
    public bool CallerAcked { get; private set; }

    // ---- caller leg ------------------------------------------------------------------------------

    /// <summary>Answers the caller with our SDP (the INVITE server transaction resends the 2xx until the ACK).</summary>
    public void Answer(SessionDescription answer, SipUri contact)
    {
        lock (_gate)
        {
            if (Ended) return;
            var ok = Invite.CreateResponse(200);
            ok.AddHeader(new ContactHeader(contact));
            ok.AddHeader("Allow", SipGateway.Allow);
            ok.AddHeader(new ContentTypeHeader("application", "sdp"));
            ok.Body = System.Text.Encoding.ASCII.GetBytes(answer.ToString());
            Ok = ok;
            CallerDialog = SipDialog.CreateUas(Invite.Request, Invite.LocalTag, contact);
            CallerDialog.RemoteEndPoint = Invite.Remote;
            Invite.Respond(ok);
            GatewayMetrics.SipResponses.Add(1, new KeyValuePair<string, object?>("class", "2xx"));
        }
    }

    public void OnAck()
    {
        lock (_gate)
        {
            CallerAcked = true;
            CallerDialog?.Confirm();
        }
    }

    /// <summary>The 2xx was never acknowledged (RFC 3261 §13.3.1.4): end the dialog with BYE and the call.</summary>
    public void OnAnswerNotAcknowledged()
    {
        if (CallerAcked || Ended) return;
        if (CallerDialog is { } dialog) SendBye(dialog, Layer);
        _gw.Report(Id, new CallCommand.HangUp("caller"));
        DropOutgoing();
        Close();
    }

    private void OnDigit(char digit)
    {
        lock (_gate) _lastDigits = _menuPath + digit;
        _gw.Report(Id, new CallCommand.Digit(digit));
    }

    public void OnInfoDigit(char digit) => OnDigit(digit);

    /// <summary>The caller hung up (BYE or CANCEL): the entity counts it, we drop the operator leg ourselves.</summary>
    public void OnCallerHangUp()
    {
        _gw.Report(Id, new CallCommand.HangUp("caller"));
        DropOutgoing();
        Close();
    }

    // ---- instructions from the call entity -------------------------------------------------------

    public void OnInstruction(ChannelInstruction instruction)
    {
        switch (instruction.Action)
        {
            case "play-menu":
                StopHold();
                lock (_gate) _menuPath = instruction.Target ?? "";
                _ = PlayMenu(instruction.Target ?? "");
                break;
            case "play-info":
                _ = PlayInfo(instruction.Target ?? "");
                break;
            case "play-closed":
                StopHold();
                lock (_gate) _closingAfterPrompt = true;
                _ = PlayThenHangUp(_gw.Prompts.Closed(Tenant.Id.Value, _language, instruction.Target));
                break;
            case "hold":
                DropOutgoing();
                StartHold();
                break;
            case "ring":
                if (instruction.Target is { } op) _gw.RingOperator(this, new OperatorId(op));
                break;
            case "bridge":
                Bridge();
                break;
            case "forward":
                StopHold();
                DropOutgoing();
                if (instruction.Target is { } uri) _gw.Forward(this, uri);
                break;
            case "hangup":
                bool closing;
                lock (_gate) closing = _closingAfterPrompt;
                if (closing) break; // the closed message ends the call when it has been heard
                HangUpAll();
                break;
        }
    }

    private async Task PlayMenu(string path)
    {
        var node = Tenant.Menu is { } root ? CallState.MenuAt(root, path) : null;
        var prompts = (await _gw.Prompts.Menu(Tenant.Id.Value, _language, path, node?.Prompt)).ToList();
        lock (_gate)
        {
            if (!_welcomed && path.Length == 0 && node?.Prompt is null) prompts.InsertRange(0, _gw.Prompts.Welcome(_language));
            _welcomed = true;
        }
        CallerMedia.Play(prompts);
    }

    private async Task PlayInfo(string text)
    {
        string key;
        lock (_gate) key = _lastDigits;
        var prompts = await _gw.Prompts.Info(Tenant.Id.Value, _language, key, text);
        if (prompts.Count > 0) CallerMedia.Play(prompts);
    }

    private async Task PlayThenHangUp(ValueTask<IReadOnlyList<Prompt>> prompts)
    {
        var list = await prompts;
        CallerMedia.Play(list, () => Task.Run(HangUpAll));
    }

    private void StartHold()
    {
        int generation;
        lock (_gate)
        {
            if (Ended) return;
            _holding = true;
            generation = ++_holdGeneration;
        }
        _ = Announce(generation, first: true);
    }

    private void StopHold()
    {
        lock (_gate)
        {
            _holding = false;
            _holdGeneration++;
        }
    }

    private bool StillHolding(int generation)
    {
        lock (_gate) return _holding && _holdGeneration == generation && !Ended;
    }

    /// <summary>Position and expected wait, then music, then again: what a queued caller hears.</summary>
    private async Task Announce(int generation, bool first)
    {
        var (position, ewt) = await _gw.Estimate(Id);
        if (!StillHolding(generation)) return;
        var prompts = new List<Prompt>(_gw.Prompts.Announcement(_language, position, ewt, first));
        var music = _gw.Prompts.Music();
        var musicSeconds = music.Sum(p => p.Duration.TotalSeconds);
        var repeats = Math.Max(1, (int)Math.Round(_gw.Options.AnnouncementInterval.TotalSeconds / Math.Max(1, musicSeconds)));
        for (var i = 0; i < repeats; i++) prompts.AddRange(music);
        CallerMedia.Play(prompts, () =>
        {
            if (StillHolding(generation)) _ = Announce(generation, first: false);
        });
    }

    private void Bridge()
    {
        StopHold();
        OperatorLeg? leg;
        lock (_gate) leg = Outgoing;
        if (leg is null || !leg.Answered) return;
        leg.Connected = true;
        MediaLeg.Bridge(CallerMedia, leg.Media);
    }

    // ---- outgoing leg ----------------------------------------------------------------------------

    public bool SetOutgoing(OperatorLeg leg)
    {
        lock (_gate)
        {
            if (Ended) return false;
            Outgoing = leg;
            return true;
        }
    }

    /// <summary>The outgoing leg answered (2xx, ACKed, media negotiated).</summary>
    public void OnOutgoingAnswered(OperatorLeg leg)
    {
        if (leg.Operator is { } op)
        {
            _gw.AnswerFor(this, leg, op);
        }
        else
        {
            // A forward: the call entity has already ended (transferred/overflowed out); just join the media.
            lock (_gate) leg.Connected = true;
            StopHold();
            MediaLeg.Bridge(CallerMedia, leg.Media);
        }
    }

    /// <summary>The outgoing leg failed before answer (busy, declined, no answer, unreachable).</summary>
    public void OnOutgoingFailed(OperatorLeg leg, int status)
    {
        lock (_gate)
        {
            if (Outgoing != leg) return;
            Outgoing = null;
        }
        leg.Media.Dispose();
        GatewayMetrics.RtpStreams.Add(-1);
        if (leg.Abandoned) return;
        if (leg.Operator is { } op)
        {
            var reason = status switch
            {
                486 or 600 => "busy",
                603 => "declined",
                408 or 480 => Domain.Operators.OperatorState.NoAnswer,
                404 or 410 => "device-lost", // the gateway holding the operator's registration has no binding any more
                _ => $"rejected-{status}",
            };
            _gw.Report(Id, new CallCommand.Reject(op, reason));
        }
        else
        {
            HangUpAll(); // the external forward failed: nobody is left to take the call
        }
    }

    /// <summary>The far end of the outgoing leg hung up (BYE).</summary>
    public void OnOutgoingHangUp(OperatorLeg leg)
    {
        bool connected;
        lock (_gate)
        {
            if (Outgoing != leg) return;
            Outgoing = null;
            connected = leg.Connected;
        }
        leg.Media.Dispose();
        GatewayMetrics.RtpStreams.Add(-1);
        if (leg.Operator is not null && connected) _gw.Report(Id, new CallCommand.HangUp("operator"));
        else if (leg.Operator is null) HangUpAll();
    }

    /// <summary>Stops the outgoing leg: CANCEL while it rings, BYE once answered.</summary>
    public void DropOutgoing()
    {
        OperatorLeg? leg;
        lock (_gate)
        {
            leg = Outgoing;
            Outgoing = null;
        }
        if (leg is null) return;
        leg.Abandoned = true;
        CallerMedia.Unbridge();
        if (leg.Dialog is { } dialog) SendBye(dialog, leg.Layer);
        else if (leg.Invite is { } invite) leg.Layer.Cancel(invite);
        leg.Media.Dispose();
        GatewayMetrics.RtpStreams.Add(-1);
    }

    /// <summary>Ends both legs (BYE to the caller if answered).</summary>
    public void HangUpAll()
    {
        DropOutgoing();
        SipDialog? dialog;
        bool answered;
        lock (_gate)
        {
            if (Ended) return;
            dialog = CallerDialog;
            answered = Ok is not null;
        }
        if (answered && dialog is not null) SendBye(dialog, Layer);
        else if (!answered) Invite.Respond(Invite.CreateResponse(480));
        Close();
    }

    internal void SendBye(SipDialog dialog, SipTransactionLayer layer) => _gw.SendBye(dialog, layer);

    public void Close()
    {
        lock (_gate)
        {
            if (Ended) return;
            Ended = true;
            _holding = false;
        }
        CallerMedia.Dispose();
        GatewayMetrics.RtpStreams.Add(-1);
        _gw.Forget(this);
    }
}
