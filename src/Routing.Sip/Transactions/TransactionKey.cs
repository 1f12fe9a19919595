using Routing.Sip.Message;

namespace Routing.Sip.Transactions;

/// <summary>The identity transactions are matched by (RFC 3261 §17.1.3 and §17.2.3).</summary>
public readonly record struct TransactionKey(string Value, bool IsRfc3261)
{
    /// <summary>Client side: top Via branch plus CSeq method, for a request sent or a response received.</summary>
    public static TransactionKey ForClient(SipMessage message) =>
        new($"{message.TopVia?.Branch}|{message.CSeq?.Method}", true);

    /// <summary>
    /// Server side: branch, sent-by and method (ACK counts as INVITE; <paramref name="method"/> overrides, which is
    /// how CANCEL finds its INVITE). Without an RFC 3261 branch (RFC 2543 peers, or the bare magic cookie of
    /// RFC 4475 §3.2.1) the older rule is used: Request-URI, From tag, Call-ID, CSeq number and the top Via.
    /// </summary>
    public static TransactionKey ForServer(SipRequest request, string? method = null)
    {
        method ??= request.Method == SipMethod.Ack ? SipMethod.Invite : request.Method;
        var via = request.TopVia;
        if (via is { HasRfc3261Branch: true })
            return new TransactionKey($"{via.Branch}|{via.SentBy.ToLowerInvariant()}|{method}", true);
        return new TransactionKey(
            $"2543|{request.RequestUri}|{request.From?.Tag}|{request.CallId}|{request.CSeq?.Sequence}|{via?.Value}|{method}", false);
    }

    public override string ToString() => Value;
}
