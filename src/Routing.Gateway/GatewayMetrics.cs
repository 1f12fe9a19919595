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
    // Levels are observed (not only counted when they change), so a scrape shows 0 before the first call.
    public static readonly Level ActiveCalls = new("routing_gateway_active_calls", "SIP calls the gateway carries now");
    public static readonly Level RtpStreams = new("routing_rtp_streams", "RTP streams (media legs) open now");
    public static readonly Level Registrations = new("routing_sip_registrations", "Operator phone bindings held by this gateway");

    /// <summary>A level that goes up and down, exported as an observable up-down counter.</summary>
    public sealed class Level
    {
        private long _value;

        public Level(string name, string description) => Meter.CreateObservableUpDownCounter(name, () => Interlocked.Read(ref _value), description: description);

        public void Add(long delta) => Interlocked.Add(ref _value, delta);
    }

    public static string ClassOf(int status) => $"{status / 100}xx";
}
