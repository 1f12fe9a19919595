using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>
/// Writes the canonical form of a message: long header names, one Via/Contact/Route value per line, headers in
/// their order, and a Content-Length computed from the body (whatever the message's own header said).
/// </summary>
public static class SipSerializer
{
    public static byte[] Serialize(SipMessage message)
    {
        var head = BuildHead(message).ToString();
        var headBytes = Encoding.UTF8.GetByteCount(head);
        var result = new byte[headBytes + message.Body.Length];
        Encoding.UTF8.GetBytes(head, result);
        message.Body.Span.CopyTo(result.AsSpan(headBytes));
        return result;
    }

    /// <summary>The message as text (the body decoded as UTF-8), for logs and tests.</summary>
    public static string SerializeToString(SipMessage message) =>
        BuildHead(message).ToString() + Encoding.UTF8.GetString(message.Body.Span);

    private static StringBuilder BuildHead(SipMessage message)
    {
        var sb = new StringBuilder(512);
        switch (message)
        {
            case SipRequest request:
                sb.Append(request.Method).Append(' ');
                request.RequestUri.WriteTo(sb);
                sb.Append(' ').Append(request.Version).Append("\r\n");
                break;
            case SipResponse response:
                sb.Append(response.Version).Append(' ').Append(response.StatusCode).Append(' ')
                    .Append(response.ReasonPhrase).Append("\r\n");
                break;
        }
        foreach (var header in message.Headers)
        {
            if (header.Kind == HeaderKind.ContentLength) continue;
            sb.Append(header.Name).Append(": ");
            header.WriteValue(sb);
            sb.Append("\r\n");
        }
        sb.Append("Content-Length: ").Append(message.Body.Length).Append("\r\n\r\n");
        return sb;
    }
}
