using System.Net;
using Routing.Domain.Config;
using static Routing.Domain.Tests.Config.ConfigTestKit;

namespace Routing.Domain.Tests.Config;

/// <summary>Trunks: SIP peers known by source address whose calls are one tenant's.</summary>
public class TrunkConfigTests
{
    private const string Base = """
        tenants:
          - id: t1
            numbers: ["100"]
            defaultQueue: sales
            queues: [ { id: sales }, { id: help } ]
            trunks:
              - { name: pbx, address: 192.0.2.10, queue: help }
              - { name: carrier, address: 198.51.100.0/29 }
          - id: t2
            numbers: ["200"]
            queues: [ { id: main } ]
        """;

    [Fact]
    public void A_trunk_is_found_by_any_address_of_its_network_and_only_those()
    {
        var config = ConfigLoader.Parse(Base, "t.yaml");
        Assert.Equal(("t1", "pbx", "help"), config.FindTrunk(IPAddress.Parse("192.0.2.10")) is { } a ? (a.Tenant.Id.Value, a.Trunk.Name, a.Trunk.Queue) : default);
        Assert.Equal("carrier", config.FindTrunk(IPAddress.Parse("198.51.100.7"))?.Trunk.Name);
        Assert.Equal("carrier", config.FindTrunk(IPAddress.Parse("::ffff:198.51.100.1"))?.Trunk.Name); // a dual-stack socket's view
        Assert.Null(config.FindTrunk(IPAddress.Parse("198.51.100.8")));
        Assert.Null(config.FindTrunk(IPAddress.Parse("192.0.2.11")));
    }

    [Theory]
    [InlineData("address: 192.0.2.10, queue: help", "address: 192.0.2.300, queue: help", "'192.0.2.300' is not an IP address or network")]
    [InlineData("address: 192.0.2.10, queue: help", "queue: help", "trunk has no 'address'")]
    [InlineData("queue: help }", "queue: hlep }", "trunk 'pbx': queue 'hlep' is not a queue of tenant 't1' (did you mean 'help'?)")]
    [InlineData("name: carrier, address: 198.51.100.0/29", "name: carrier, address: 192.0.2.8/29", "trunk 'carrier' (192.0.2.8/29) overlaps trunk 'pbx' (192.0.2.10) of tenant 't1'")]
    [InlineData("name: pbx, ", "nmae: pbx, ", "unknown key 'nmae' in trunk; did you mean 'name'?")]
    public void Mistakes_are_named_at_their_line(string find, string replace, string words)
    {
        Assert.Contains(find, Base);
        var yaml = Base.Replace(find, replace);
        var ex = Fails(yaml);
        Assert.Contains(ex.Errors, e => e.Message.Contains(words, StringComparison.Ordinal) && e.Line is 7 or 8);
    }

    [Fact]
    public void Two_tenants_cannot_share_a_source_address()
    {
        var yaml = Base + "\n    trunks: [ { name: other, address: 192.0.2.10 } ]\n";
        var ex = Fails(yaml);
        Assert.Contains(ex.Errors, e => e.Message.Contains("overlaps trunk 'pbx'", StringComparison.Ordinal));
    }
}
