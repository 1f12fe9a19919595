using System.Net;
using Routing.Integration.Tests.Infrastructure;

namespace Routing.Integration.Tests.Sip;

/// <summary>The sipp peers the SIP tests use: callers and operators' phones, as <see cref="SippOptions"/>.</summary>
public static class SipCalls
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> OperatorPorts = new();

    /// <summary>RFC 4733 telephone-event pcap of one key ("1", "2", … "star", "pound") shipped by sip-tester.</summary>
    public static string DtmfPcap(string key) => Path.Combine(SippProcess.PcapDirectory, $"dtmf_2833_{key}.pcap");

    /// <summary>G.711 A-law audio shipped by sip-tester (about 8 s).</summary>
    public static string AudioPcap => Path.Combine(SippProcess.PcapDirectory, "g711a.pcap");

    /// <summary>A caller who dials <paramref name="number"/>, presses <paramref name="key"/>, talks, and hangs up after <paramref name="stay"/>.</summary>
    public static SippOptions Caller(IPEndPoint gateway, string number, TimeSpan stay, string key = "1") => new()
    {
        Scenario = "caller_menu_queue.xml",
        Remote = gateway,
        Service = number,
        Pause = stay,
        Keys = new Dictionary<string, string> { ["dtmf_pcap"] = DtmfPcap(key), ["audio_pcap"] = AudioPcap },
    };

    /// <summary>
    /// An operator's phone: registers as <paramref name="user"/> with digest auth, stays registered for
    /// <paramref name="stay"/> (stopped earlier by the test), and handles incoming calls with <paramref name="answer"/>
    /// (operator_answer.xml echoes RTP; operator_no_answer.xml rings until CANCEL; operator_busy.xml says 486).
    /// An operator's phone always uses the same SIP port in a test run, so registering again (a phone stopped without
    /// unregistering, then a new one) refreshes the same binding instead of adding a second contact.
    /// </summary>
    public static SippOptions Operator(IPEndPoint gateway, string user, string password, string answer, TimeSpan stay) => new()
    {
        Scenario = "operator_register.xml",
        OutOfCallScenario = answer,
        Remote = gateway,
        LocalPort = OperatorPorts.GetOrAdd(user, _ => FreePort.UdpAndTcp()),
        Injection = [SippOptions.DigestUser(user, password)],
        RtpEcho = true,
        Pause = stay,
    };
}
