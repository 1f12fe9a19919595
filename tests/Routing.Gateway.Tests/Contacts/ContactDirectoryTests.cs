using System.Collections.Immutable;
using System.Net;
using Routing.Gateway.Contacts;

namespace Routing.Gateway.Tests.Contacts;

/// <summary>
/// The snapshot of where operators are registered across the cluster's gateways, as a gateway reads it from the
/// replicated map: which peer to ring an operator through, and which sources count as the cluster's gateways.
/// </summary>
public sealed class ContactDirectoryTests
{
    private const string NodeA = "akka.tcp://routing@10.0.0.1:4053";
    private const string NodeB = "akka.tcp://routing@10.0.0.2:4053";
    private const string NodeC = "akka.tcp://routing@10.0.0.3:4053";
    private static readonly IPEndPoint SipA = IPEndPoint.Parse("10.0.0.1:5060");
    private static readonly IPEndPoint SipB = IPEndPoint.Parse("10.0.0.2:5060");
    private static readonly IPEndPoint SipC = IPEndPoint.Parse("10.0.0.3:5070");

    private static KeyValuePair<string, IImmutableSet<string>> Of(string node, IPEndPoint sip, params string[] ops) =>
        new(node, ContactDirectory.Entry(sip, ops));

    [Fact]
    public void An_operator_registered_on_another_gateway_is_located_there_and_never_on_the_asking_gateway()
    {
        var directory = ContactDirectory.From([Of(NodeA, SipA, "2002"), Of(NodeB, SipB, "2001", "2003")]);

        var found = Assert.Single(directory.Locate("2001", NodeA));
        Assert.Equal(NodeB, found.Node);
        Assert.Equal(SipB, found.Sip);
        Assert.Empty(directory.Locate("2002", NodeA)); // registered here: the local registrar rings it, not a peer
        Assert.Empty(directory.Locate("2009", NodeA));
    }

    [Fact]
    public void An_operator_with_phones_on_two_peers_is_offered_in_a_stable_order_and_unusable_peers_are_left_out()
    {
        var directory = ContactDirectory.From([Of(NodeC, SipC, "2001"), Of(NodeB, SipB, "2001"), Of(NodeA, SipA)]);

        Assert.Equal([NodeB, NodeC], directory.Locate("2001", NodeA).Select(g => g.Node));
        Assert.Equal([NodeC], directory.Locate("2001", NodeA, usable: node => node != NodeB).Select(g => g.Node));
        Assert.Empty(directory.Locate("2001", NodeA, usable: _ => false));
    }

    [Fact]
    public void Only_the_published_sip_end_points_of_gateways_count_as_peers()
    {
        var directory = ContactDirectory.From([Of(NodeA, SipA), Of(NodeB, SipB, "2001")]);

        Assert.True(directory.IsGateway(SipB));
        Assert.False(directory.IsGateway(IPEndPoint.Parse("10.0.0.2:5099"))); // same host, another socket: a phone, not the gateway
        Assert.False(directory.IsGateway(IPEndPoint.Parse("192.0.2.7:5060")));
        Assert.True(directory.IsGatewayHost("10.0.0.2", 5060));
        Assert.True(directory.IsGatewayHost("10.0.0.2", null));
        Assert.False(directory.IsGatewayHost("10.0.0.2", 5061));
        Assert.False(directory.IsGatewayHost("example.com", null));
    }

    [Fact]
    public void An_entry_without_a_usable_sip_end_point_is_ignored_with_its_operators()
    {
        var broken = new KeyValuePair<string, IImmutableSet<string>>(NodeB, ImmutableHashSet.Create("sip=not-an-address", "op=2001"));
        var portless = new KeyValuePair<string, IImmutableSet<string>>(NodeC, ImmutableHashSet.Create("sip=10.0.0.3:0", "op=2001"));
        var directory = ContactDirectory.From([broken, portless, Of(NodeA, SipA)]);

        Assert.Empty(directory.Locate("2001", "elsewhere"));
        Assert.Equal([NodeA], directory.Gateways.Select(g => g.Node));
    }

    [Fact]
    public void A_gateway_that_published_again_without_the_operator_no_longer_offers_it()
    {
        var before = ContactDirectory.From([Of(NodeB, SipB, "2001", "2002")]);
        var after = ContactDirectory.From([Of(NodeB, SipB, "2002")]);

        Assert.Single(before.Locate("2001", NodeA));
        Assert.Empty(after.Locate("2001", NodeA));
        Assert.Single(after.Locate("2002", NodeA));
    }
}
