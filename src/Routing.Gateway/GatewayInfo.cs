namespace Routing.Gateway;

/// <summary>The gateway role: SIP/RTP on one side, call, queue and operator entities on the other.</summary>
public static class GatewayInfo
{
    public const string Role = "gateway";
}
