using Routing.Integration.Tests.Infrastructure;
using Xunit;

namespace Routing.Integration.Tests.Sip;

/// <summary>A gateway that may carry one call at a time.</summary>
public sealed class OneCallNodeFixture : GatewayNodeFixture
{
    protected override int MaxCalls => 1;
}

/// <summary>Over capacity the gateway refuses new calls with 503 and Retry-After, and keeps the call it carries.</summary>
public sealed class GatewayOverloadTests(OneCallNodeFixture node) : IClassFixture<OneCallNodeFixture>
{
    [Fact]
    public async Task A_call_over_capacity_gets_503_with_retry_after_and_the_call_in_progress_goes_on()
    {
        // The first caller waits in support (nobody logged in there) for 8 s.
        await using var first = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(8), key: "2"));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (node.Host.Gateway!.ActiveCalls == 0 && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal(1, node.Host.Gateway.ActiveCalls);

        await using var second = SippProcess.Start(SipCalls.Caller(node.Gateway, "1000", TimeSpan.FromSeconds(1), key: "2"));
        var refused = await second.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(refused.Received("SIP/2.0 503") >= 1, "the second call was not refused with 503: " + refused.Describe());
        var trace = string.Join("\n", Directory.GetFiles(refused.LogDirectory, "*_messages.log").Select(File.ReadAllText));
        Assert.Contains("Retry-After: 5", trace, StringComparison.Ordinal);

        var kept = await first.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(kept.ExitCode == 0 && kept.SuccessfulCalls == 1, "the call in progress was disturbed: " + kept.Describe());
    }
}
