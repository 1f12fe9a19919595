using System.Net;
using Routing.Media.Transport;

namespace Routing.Gateway;

/// <summary>How the gateway role listens for SIP and RTP on this node.</summary>
public sealed record GatewayOptions
{
    /// <summary>Address the SIP and RTP sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Address written in Via, Contact and SDP (what peers reach us at); null: the bind address, or 127.0.0.1 for Any.</summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>SIP port for UDP and TCP; 0 picks a free port (tests).</summary>
    public int SipPort { get; init; } = 5060;

    /// <summary>RTP ports (even, RTCP on the odd port above).</summary>
    public RtpPortRange RtpPorts { get; init; } = new(20000, 29999);

    /// <summary>Prompt directory (<c>en/</c>, <c>ru/</c>, <c>common/</c>, optional <c>tenants/&lt;tenant&gt;/</c>).</summary>
    public string PromptsDir { get; init; } = "prompts";

    /// <summary>Where spoken prompts rendered from configured text are cached; null disables speech synthesis.</summary>
    public string? SpeechCacheDir { get; init; }

    /// <summary>Calls carried at once; a new INVITE above this gets 503 with Retry-After.</summary>
    public int MaxCalls { get; init; } = 2000;

    /// <summary>Seconds a 503 asks the peer to wait.</summary>
    public int RetryAfterSeconds { get; init; } = 5;

    /// <summary>Digest realm for operators' phones.</summary>
    public string Realm { get; init; } = "routing";

    /// <summary>How often a waiting caller hears the position and expected wait (between music).</summary>
    public TimeSpan AnnouncementInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Registration lifetimes the registrar allows.</summary>
    public int MinRegisterSeconds { get; init; } = 30;
    public int MaxRegisterSeconds { get; init; } = 3600;
    public int DefaultRegisterSeconds { get; init; } = 600;
}
