using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Xunit;

namespace Routing.Sip.Tests.Message;

public class SipResponsesTests
{
    [Fact]
    public void The_answer_to_options_lists_allowed_methods_and_accepted_bodies_and_parses()
    {
        var options = SipRequest.Create(SipMethod.Options, SipUri.Parse("sip:gw@127.0.0.1"), SipUri.Parse("sip:probe@127.0.0.1"),
            SipUri.Parse("sip:gw@127.0.0.1"));
        options.Headers.Insert(0, new ViaHeader("UDP", "127.0.0.1", 5070, SipRequest.NewBranch()));

        var response = SipResponses.ForOptions(options, [SipMethod.Invite, SipMethod.Ack, SipMethod.Bye, SipMethod.Cancel, SipMethod.Options]);
        var reparsed = SipParser.ParseDatagram(response.ToBytes()).Response!;

        Assert.Equal(200, reparsed.StatusCode);
        Assert.Equal("INVITE, ACK, BYE, CANCEL, OPTIONS", reparsed.GetHeaderValue("Allow"));
        Assert.Equal("application/sdp", reparsed.GetHeaderValue("Accept"));
        Assert.NotNull(reparsed.To!.Tag);
        Assert.Equal(options.CallId, reparsed.CallId);
    }
}
