namespace Routing.Sip.Transactions;

/// <summary>All SIP transaction timers (RFC 3261 §17 and Table 4, RFC 6026 L and M), derived from T1/T2/T4.</summary>
public sealed record SipTimers
{
    public static SipTimers Default { get; } = new();

    /// <summary>RTT estimate, 500 ms.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum duration a message stays in the network, 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client INVITE transaction re-ACKs retransmitted non-2xx finals (at least 32 s on unreliable transports).</summary>
    public TimeSpan TimerD { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>A server INVITE transaction sends 100 Trying if the TU has not answered within this time (RFC 3261 §17.2.1).</summary>
    public TimeSpan TryingDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan TimerA => T1;
    public TimeSpan TimerB => 64 * T1;
    public TimeSpan TimerE => T1;
    public TimeSpan TimerF => 64 * T1;
    public TimeSpan TimerG => T1;
    public TimeSpan TimerH => 64 * T1;
    public TimeSpan TimerI => T4;
    public TimeSpan TimerJ => 64 * T1;
    public TimeSpan TimerK => T4;
    public TimeSpan TimerL => 64 * T1;
    public TimeSpan TimerM => 64 * T1;
}
