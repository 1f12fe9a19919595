using System.Net;
using Routing.Integration.Tests.Infrastructure;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>
/// The harness and the scenarios themselves, sipp against sipp (no gateway): a caller dials, is answered, sends
/// DTMF and audio, and the answering peer echoes it; a caller cancels a phone that never answers. When a gateway
/// test fails, these passing says the peers are not the problem.
/// </summary>
public sealed class SippHarnessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_caller_answered_by_an_echoing_phone_sends_audio_and_hears_it_back()
    {
        using var tap = RtpTap.Open();
        var phonePort = FreePort.UdpAndTcp();
        await using var phone = SippProcess.Start(new SippOptions
        {
            Scenario = "operator_answer.xml",
            Remote = new IPEndPoint(IPAddress.Loopback, 9), // a UAS answers whoever calls; the remote is unused
            LocalPort = phonePort,
            RtpEcho = true,
        });
        await using var caller = SippProcess.Start(SipCalls.Caller(phone.LocalEndPoint, "1000", TimeSpan.FromSeconds(2)));

        var called = await caller.WaitAsync(Timeout);
        var answered = await phone.WaitAsync(Timeout);

        Assert.True(called.ExitCode == 0 && called.SuccessfulCalls == 1, called.Describe());
        Assert.True(answered.ExitCode == 0 && answered.SuccessfulCalls == 1, answered.Describe());
        var sent = tap.Packets(caller.MediaPort, phone.MediaPort);
        var echoed = tap.Packets(phone.MediaPort, caller.MediaPort);
        Assert.True(sent > 10 && echoed > 10, $"RTP caller->phone {sent}, phone->caller {echoed}; flows: {tap.Describe()}");
        Assert.True(tap.SamePayloads(caller.MediaPort, phone.MediaPort, phone.MediaPort, caller.MediaPort) > 10, tap.Describe());
    }

    [Fact]
    public async Task A_caller_who_cancels_a_ringing_phone_gets_487_and_the_phone_sees_the_cancel()
    {
        await using var phone = SippProcess.Start(new SippOptions
        {
            Scenario = "operator_no_answer.xml",
            Remote = new IPEndPoint(IPAddress.Loopback, 9),
        });
        await using var caller = SippProcess.Start(new SippOptions
        {
            Scenario = "caller_cancel.xml",
            Remote = phone.LocalEndPoint,
            Service = "1000",
        });

        var called = await caller.WaitAsync(Timeout);
        var rang = await phone.WaitAsync(Timeout);

        Assert.True(called.ExitCode == 0 && called.Count("_487_Recv") == 1, called.Describe());
        Assert.True(rang.ExitCode == 0 && rang.Count("_CANCEL_Recv") == 1, rang.Describe());
    }
}
