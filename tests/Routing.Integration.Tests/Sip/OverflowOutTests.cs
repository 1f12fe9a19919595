using Routing.Domain;
using Routing.Integration.Tests.Infrastructure;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>The demo node with ACME's support queue overflowing after 2 s to the client's own centre (a sipp UAS).</summary>
public sealed class OverflowOutNodeFixture : GatewayNodeFixture
{
    public int PartnerPort { get; } = FreePort.UdpAndTcp();

    protected override string Configure(string yaml)
    {
        const string commented = "        # overflow:\n        #   - { after: 5m, external: \"sip:overflow@acme.example\" }";
        Assert.Contains(commented, yaml);
        return yaml.Replace(commented, $"        overflow:\n          - {{ after: 2s, external: \"sip:overflow@127.0.0.1:{PartnerPort}\" }}", StringComparison.Ordinal);
    }
}

/// <summary>An overflow rule that points at an external SIP address makes the gateway place that call and bridge it.</summary>
public sealed class OverflowOutTests(OverflowOutNodeFixture node) : IClassFixture<OverflowOutNodeFixture>
{
    [Fact]
    public async Task A_caller_waiting_too_long_is_connected_to_the_clients_own_centre_over_sip()
    {
        var before = (await node.Host.Routing.GetQueueFigures(new QueueId("acme/support"))).Overflowed;
        using var tap = RtpTap.Open();
        // The client's centre: answers, echoes audio, waits for the BYE.
        await using var partner = SippProcess.Start(new SippOptions
        {
            Scenario = "operator_answer.xml",
            Remote = node.Gateway,
            LocalPort = node.PartnerPort,
            RtpEcho = true,
            Pause = TimeSpan.FromMinutes(1),
        });
        // Nobody is logged in for ACME: after 2 s in the queue the call goes out.
        await using var caller = SippProcess.Start(SipCalls.Caller(node.Gateway, "2000", TimeSpan.FromSeconds(10), key: "1"));
        var call = await caller.WaitAsync(TimeSpan.FromSeconds(60));
        var partnerRun = await partner.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(call.ExitCode == 0 && call.SuccessfulCalls == 1, call.Describe());
        Assert.True(partnerRun.Count("INVITE_Recv") >= 1 || partnerRun.Received("INVITE ") >= 1, "the partner was not called: " + partnerRun.Describe());
        Assert.True(partnerRun.Received("BYE ") >= 1, "the partner's leg did not end with the caller's: " + partnerRun.Describe());
        Assert.True(tap.SamePayloads(caller.MediaPort, null, null, partner.MediaPort) > 10, "the caller was not bridged to the partner: " + tap.Describe());
        var after = before;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until && (after = (await node.Host.Routing.GetQueueFigures(new QueueId("acme/support"))).Overflowed) == before) await Task.Delay(200);
        Assert.Equal(before + 1, after);
    }
}
