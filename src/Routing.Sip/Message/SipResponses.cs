namespace Routing.Sip.Message;

/// <summary>Ready-made answers a UA core gives often.</summary>
public static class SipResponses
{
    /// <summary>
    /// 200 to OPTIONS (RFC 3261 §11.2): Allow lists the methods served, Accept the body types understood,
    /// plus Accept-Encoding and Accept-Language as the RFC recommends.
    /// </summary>
    public static SipResponse ForOptions(SipRequest request, IEnumerable<string> allow, IEnumerable<string>? accept = null, string? toTag = null)
    {
        var response = SipResponse.CreateFor(request, 200, null, toTag ?? SipRequest.NewTag());
        response.AddHeader("Allow", string.Join(", ", allow));
        response.AddHeader("Accept", string.Join(", ", accept ?? ["application/sdp"]));
        response.AddHeader("Accept-Encoding", "identity");
        response.AddHeader("Accept-Language", "en");
        return response;
    }
}
