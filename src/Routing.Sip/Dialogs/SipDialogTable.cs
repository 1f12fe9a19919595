using System.Collections.Concurrent;
using Routing.Sip.Message;

namespace Routing.Sip.Dialogs;

/// <summary>The dialogs a UA has open, found by the key of an incoming request or response. Thread-safe.</summary>
public sealed class SipDialogTable
{
    private readonly ConcurrentDictionary<DialogKey, SipDialog> _dialogs = new();

    public int Count => _dialogs.Count;

    public IReadOnlyCollection<SipDialog> All => _dialogs.Values.ToList();

    /// <summary>False when a dialog with that key exists already (e.g. a 2xx retransmission).</summary>
    public bool TryAdd(SipDialog dialog) => _dialogs.TryAdd(dialog.Key, dialog);

    public bool TryGet(DialogKey key, out SipDialog dialog) => _dialogs.TryGetValue(key, out dialog!);

    /// <summary>The dialog a received request belongs to (To tag ours, From tag theirs), or null.</summary>
    public SipDialog? Find(SipRequest request) =>
        DialogKey.ForIncomingRequest(request) is { } key && _dialogs.TryGetValue(key, out var d) ? d : null;

    /// <summary>The dialog a response to our request belongs to, or null (a forked INVITE's new To tag finds none).</summary>
    public SipDialog? Find(SipResponse response) =>
        DialogKey.ForIncomingResponse(response) is { } key && _dialogs.TryGetValue(key, out var d) ? d : null;

    public bool Remove(DialogKey key) => _dialogs.TryRemove(key, out _);
}
