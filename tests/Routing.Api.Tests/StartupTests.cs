using Routing.Node;
using Xunit;

namespace Routing.Api.Tests;

/// <summary>Start-up configuration: HOCON layering and the errors that stop a node before its ActorSystem exists.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("routing-startup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("akka {\n  loglevel = \n}\n", 2, "'loglevel' has no value")]
    [InlineData("akka {\n  cluster { roles = [a, b\n}\n", 3, "']'")]
    [InlineData("akka {\n  loglevel = INFO\n", 1, "never closed")]
    [InlineData("a = 1\n}\n", 2, "closes nothing")]
    [InlineData("a = \"open\nb = 2\n", 1, "not closed")]
    [InlineData("a {\n  b c d\n}\n", 2, "after the key 'b c d'")]
    public void Broken_hocon_is_reported_with_its_line(string text, int line, string message)
    {
        var error = HoconSyntax.Check(text);
        Assert.NotNull(error);
        Assert.Equal(line, error.Value.Line);
        Assert.Contains(message, error.Value.Message);
    }

    [Fact]
    public void The_shipped_hocon_files_are_well_formed()
    {
        foreach (var f in new[] { "hocon/routing.conf", "hocon/single-node.conf" })
            Assert.Null(HoconSyntax.Check(System.IO.File.ReadAllText(NodeHocon.FindShippedFile(f))));
    }

    [Fact]
    public void Options_win_over_files_and_a_later_file_wins_over_an_earlier_one()
    {
        var a = File("a.conf", "akka.loglevel = DEBUG\nrouting.ask-timeout = 3s\n");
        var b = File("b.conf", "akka.loglevel = ERROR\nakka.remote.dot-netty.tcp.port = 7000\n");
        var result = NodeHocon.Build(new RoutingNodeOptions
        {
            HoconFiles = [a, b], Port = 0, Hostname = "node-1.routing", Roles = ["routing"], Seeds = ["node-0.routing:4053", "akka.tcp://routing@x:1"],
            DataDir = Path.Combine(_dir, "data"),
        });
        var c = result.Config;
        Assert.Equal("ERROR", c.GetString("akka.loglevel"));
        Assert.Equal(TimeSpan.FromSeconds(3), c.GetTimeSpan("routing.ask-timeout"));
        Assert.Equal(0, c.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("node-1.routing", c.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(["routing"], c.GetStringList("akka.cluster.roles"));
        Assert.Equal(["akka.tcp://routing@node-0.routing:4053", "akka.tcp://routing@x:1"], c.GetStringList("akka.cluster.seed-nodes"));
        Assert.False(result.JoinSelf);
        Assert.Equal($"Data Source={Path.Combine(_dir, "data", "routing.db")}", c.GetString(NodeHocon.JournalPath + ".connection-string"));
        Assert.Equal(result.SqliteConnectionStrings, [c.GetString(NodeHocon.JournalPath + ".connection-string")]);
    }

    [Fact]
    public void Without_seeds_the_node_joins_itself_and_a_hocon_connection_string_is_kept()
    {
        var db = File("db.conf", $"{NodeHocon.JournalPath}.connection-string = \"Data Source={Path.Combine(_dir, "mine.db").Replace("\\", "/")}\"\n");
        var result = NodeHocon.Build(new RoutingNodeOptions { HoconFiles = [db], DataDir = Path.Combine(_dir, "data") });
        Assert.True(result.JoinSelf);
        Assert.Empty(result.Config.GetStringList("akka.cluster.seed-nodes"));
        Assert.EndsWith("mine.db", result.Config.GetString(NodeHocon.JournalPath + ".connection-string"));
        Assert.Equal(["gateway", "routing", "api"], result.Config.GetStringList("akka.cluster.roles"));
    }

    [Fact]
    public async Task An_invalid_hocon_file_stops_start_up_naming_the_file_and_line()
    {
        var bad = File("bad.conf", "akka {\n  cluster {\n    roles = [routing\n  }\n}\n");
        var e = await Assert.ThrowsAsync<NodeConfigException>(() =>
            RoutingNodeHost.StartAsync(new RoutingNodeOptions { HoconFiles = [bad], DataDir = Path.Combine(_dir, "data"), Port = 0, HttpPort = 0, SipPort = 0, SipHost = "127.0.0.1" }));
        Assert.StartsWith($"{bad}:4:", Assert.Single(e.Lines));
    }

    [Fact]
    public async Task An_invalid_yaml_configuration_stops_start_up_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<NodeConfigException>(() => RoutingNodeHost.StartAsync(new RoutingNodeOptions
        {
            ConfigText = "version: 1\ntenants:\n  - id: x\n    numbers: [1000\n",
            DataDir = Path.Combine(_dir, "data"), Port = 0, HttpPort = 0,
        }));
        Assert.Matches(@"^inline:\d+:\d+: ", e.Lines[0]);
        Assert.False(Directory.Exists(Path.Combine(_dir, "data")), "nothing is started or written before the configuration is valid");
    }

    [Fact]
    public void Unknown_roles_are_refused()
    {
        var e = Assert.Throws<NodeConfigException>(() => NodeHocon.Build(new RoutingNodeOptions { Roles = ["routing", "frontend"] }));
        Assert.Contains("frontend", e.Message);
    }
}
