using Routing.Sip.Message;

namespace Routing.Sip.Dialogs;

/// <summary>
/// A dialog's identity (RFC 3261 §12): Call-ID, local tag and remote tag, seen from this UA. The same dialog has
/// the tags the other way round at the peer. A remote tag of "" stands for an RFC 2543 peer that sent none.
/// </summary>
public readonly record struct DialogKey(string CallId, string LocalTag, string RemoteTag)
{
    /// <summary>For a request received inside a dialog: our tag is in To, theirs in From.</summary>
    public static DialogKey? ForIncomingRequest(SipRequest request) =>
        request.CallId is { } callId && request.To?.Tag is { } local
            ? new DialogKey(callId, local, request.From?.Tag ?? "")
            : null;

    /// <summary>For a response to a request we sent: our tag is in From, theirs in To.</summary>
    public static DialogKey? ForIncomingResponse(SipResponse response) =>
        response.CallId is { } callId && response.From?.Tag is { } local && response.To?.Tag is { } remote
            ? new DialogKey(callId, local, remote)
            : null;

    public override string ToString() => $"{CallId};local={LocalTag};remote={RemoteTag}";
}
