using System.Diagnostics.Metrics;

namespace Routing.Gateway;

/// <summary>The gateway's instruments (System.Diagnostics.Metrics, exported with every "Routing*" meter).</summary>
internal static class GatewayMetrics
{
    public static readonly Meter Meter = new("Routing.Gateway");

    public static readonly Counter<long> SipRequests = Meter.CreateCounter<long>("routing_sip_requests_total", description: "SIP requests received, by method");
    public static readonly Counter<long> SipTransactions = Meter.CreateCounter<long>("routing_sip_transactions_total", description: "SIP transactions started (server and client), by method");
    public static readonly Counter<long> SipResponses = Meter.CreateCounter<long>("routing_sip_responses_total", description: "SIP final responses sent and received, by class");
    public static readonly Counter<long> SipRejected = Meter.CreateCounter<long>("routing_sip_malformed_total", description: "SIP messages that failed to parse");
    public static readonly Counter<long> Calls = Meter.CreateCounter<long>("routing_gateway_calls_total", description: "Inbound SIP calls, by outcome at the gateway (accepted, rejected-4xx, overload-503)");
    public static readonly UpDownCounter<long> ActiveCalls = Meter.CreateUpDownCounter<long>("routing_gateway_active_calls", description: "SIP calls the gateway carries now");
    public static readonly UpDownCounter<long> RtpStreams = Meter.CreateUpDownCounter<long>("routing_rtp_streams", description: "RTP streams (media legs) open now");
    public static readonly UpDownCounter<long> Registrations = Meter.CreateUpDownCounter<long>("routing_sip_registrations", description: "Operator phone bindings held by this gateway");

    public static string ClassOf(int status) => $"{status / 100}xx";
}
