using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Routing.Ctl;
using Routing.Ctl.Protocol;
using Xunit;

namespace Routing.Ctl.Tests;

/// <summary>What routingctl decides before it talks to a node: the command line, help, completion, the prompt's keys, JSON output, framing.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Commands_parse_with_their_arguments_and_options_in_any_order()
    {
        var c = CommandCatalogue.Parse(["cluster-sharding", "region-stats", "-r", "operator"]);
        Assert.Equal("cluster-sharding region-stats", c.Spec.Name);
        Assert.Equal("operator", c.Option("--region"));
        Assert.Equal("operator", CommandCatalogue.Parse(["cluster-sharding", "shard-stats", "--region=operator"]).Option("--region"));

        var ops = CommandCatalogue.Parse(["operator", "list", "--state", "ready", "-t", "demo"]);
        Assert.Equal("ready", ops.Option("--state"));
        Assert.Equal("demo", ops.Option("--tenant"));

        Assert.Null(CommandCatalogue.Parse(["cluster", "leave"]).Arg("address"));
        Assert.Equal("10.0.0.5:4053", CommandCatalogue.Parse(["cluster", "leave", "10.0.0.5:4053"]).Arg("address"));
        Assert.True(CommandCatalogue.Parse(["call", "list", "--active"]).Flag("--active"));
        Assert.Equal("cluster leave", CommandCatalogue.Parse(["help", "cluster", "leave"]).Arg("command"));
    }

    [Theory]
    [InlineData("clustr show", "did you mean 'cluster'")]
    [InlineData("cluster shw", "did you mean 'cluster show'")]
    [InlineData("cluster", "needs a sub-command: show, status, leader, leave, down, join, down-unreachable, tail")]
    [InlineData("cluster-sharding region-stats", "needs -r|--region <type>")]
    [InlineData("cluster-sharding region-stats --regoin call", "did you mean '--region'")]
    [InlineData("cluster down", "needs <address>")]
    [InlineData("cluster show extra", "takes no arguments")]
    [InlineData("actor hierarchy -d", "needs a value <depth>")]
    [InlineData("call list", "needs -a|--active")]
    [InlineData("frobnicate", "unknown command 'frobnicate'; try 'help'")]
    public void Mistakes_say_what_is_wrong_and_what_was_meant(string line, string expected)
    {
        var e = Assert.Throws<CommandLineException>(() => CommandCatalogue.Parse(CommandCatalogue.SplitLine(line)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Every_issue_command_is_in_the_catalogue_and_in_the_help()
    {
        string[] expected =
        [
            "cluster show", "cluster status", "cluster leader", "cluster leave", "cluster down", "cluster join", "cluster down-unreachable",
            "cluster tail", "cluster-sharding regions", "cluster-sharding region-stats", "cluster-sharding shard-stats", "actor hierarchy",
            "tenant list", "queue list", "queue show", "operator list", "operator show", "call show", "call list",
        ];
        Assert.Equal(expected.Order(), CommandCatalogue.All.Select(c => c.Name).Where(n => n != "help").Order());
        var help = string.Join('\n', CommandCatalogue.Help());
        Assert.All(expected, n => Assert.Contains(n, help));
        Assert.Contains("cluster-sharding region-stats -r|--region <type>", help);
    }

    [Theory]
    [InlineData("", new[] { "actor", "call", "cluster", "cluster-sharding", "help", "operator", "queue", "tenant" })]
    [InlineData("clu", new[] { "cluster", "cluster-sharding" })]
    [InlineData("cluster ", new[] { "down", "down-unreachable", "join", "leader", "leave", "show", "status", "tail" })]
    [InlineData("cluster le", new[] { "leader", "leave" })]
    [InlineData("cluster-sharding region-stats ", new[] { "--region" })]
    [InlineData("operator list --state ready ", new[] { "--tenant" })]
    [InlineData("queue x", new string[0])]
    public void Completion_offers_the_next_command_word_or_option(string line, string[] expected) =>
        Assert.Equal(expected, CommandCatalogue.Complete(line));

    [Fact]
    public void Quotes_keep_spaces_in_one_word()
    {
        Assert.Equal(["operator", "list", "-t", "big tenant"], CommandCatalogue.SplitLine("operator list -t \"big tenant\""));
        Assert.Throws<CommandLineException>(() => CommandCatalogue.SplitLine("queue show 'demo/sales"));
    }

    private static Func<ConsoleKeyInfo> Typing(params object[] keys)
    {
        var queue = new Queue<ConsoleKeyInfo>();
        foreach (var k in keys)
        {
            if (k is string s)
                foreach (var ch in s) queue.Enqueue(new ConsoleKeyInfo(ch, ch == ' ' ? ConsoleKey.Spacebar : ConsoleKey.A, false, false, false));
            else queue.Enqueue(new ConsoleKeyInfo(k is ConsoleKey.Enter ? '\r' : k is ConsoleKey.Tab ? '\t' : '\0', (ConsoleKey)k, false, false, false));
        }
        return () => queue.Dequeue();
    }

    [Fact]
    public void The_prompt_completes_with_tab_and_recalls_history_with_the_arrows()
    {
        var history = new List<string>();
        var screen = new StringWriter();
        var editor = new LineEditor(Typing("clu", ConsoleKey.Tab, "-", ConsoleKey.Tab, "regions", ConsoleKey.Enter), screen, history);
        Assert.Equal("cluster-sharding regions", editor.ReadLine("> "));

        editor = new LineEditor(Typing("cluster st", ConsoleKey.Tab, ConsoleKey.Enter), screen, history);
        Assert.Equal("cluster status ", editor.ReadLine("> "));

        // Up twice: the first command again; Backspace edits it.
        editor = new LineEditor(Typing(ConsoleKey.UpArrow, ConsoleKey.UpArrow, ConsoleKey.Backspace, ConsoleKey.Backspace, "ns", ConsoleKey.Enter), screen, history);
        Assert.Equal("cluster-sharding regions", editor.ReadLine("> "));
        Assert.Equal(["cluster-sharding regions", "cluster status ", "cluster-sharding regions"], history); // as a shell: the recalled line is added again

        // Two candidates: the second Tab lists them.
        screen = new StringWriter();
        editor = new LineEditor(Typing("cluster le", ConsoleKey.Tab, ConsoleKey.Tab, ConsoleKey.Enter), screen, history);
        Assert.Equal("cluster lea", editor.ReadLine("> ")); // the common prefix of leader and leave
        screen = new StringWriter();
        editor = new LineEditor(Typing("cluster lea", ConsoleKey.Tab, ConsoleKey.Tab, ConsoleKey.Enter), screen, history);
        editor.ReadLine("> ");
        Assert.Contains("leader  leave", screen.ToString());
    }

    [Fact]
    public void Json_output_turns_a_table_into_row_objects_and_streams_into_lines()
    {
        var o = new StringWriter();
        var r = new Renderer(o, json: true, terminal: false);
        r.Frame(Frame.Table(1, "members", ["address", "status"], [["a:1", "up"], ["b:2", "leaving"]]));
        r.Finish();
        var rows = JsonNode.Parse(o.ToString())!.AsArray();
        Assert.Equal("leaving", rows[1]!["status"]!.ToString());

        o = new StringWriter();
        r = new Renderer(o, json: true, terminal: false);
        r.Frame(Frame.Event(1, "x member-up a:1", new JsonObject { ["event"] = "member-up", ["address"] = "a:1" }));
        r.Frame(Frame.Event(1, "x member-left a:1", new JsonObject { ["event"] = "member-left", ["address"] = "a:1" }));
        var lines = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["member-up", "member-left"], lines.Select(l => JsonNode.Parse(l)!["event"]!.ToString()));

        o = new StringWriter();
        r = new Renderer(o, json: false, terminal: false);
        r.Frame(Frame.Table(1, "queues", ["queue", "waiting"], [["demo/sales", "3"]]));
        Assert.Contains("demo/sales", o.ToString());
        Assert.Contains("waiting", o.ToString());
    }

    [Fact]
    public async Task Frames_round_trip_and_a_length_that_is_not_ours_is_refused()
    {
        var pipe = new MemoryStream();
        await Frames.WriteAsync(pipe, Frame.Run(7, ["queue", "show", "demo/sales"]));
        pipe.Position = 0;
        var back = await Frames.ReadAsync(pipe);
        Assert.Equal("run", Frames.TypeOf(back!));
        Assert.Equal(7, back!["id"]!.GetValue<int>());
        Assert.Null(await Frames.ReadAsync(pipe)); // clean end between frames

        var http = new MemoryStream("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        var e = await Assert.ThrowsAsync<ProtocolException>(() => Frames.ReadAsync(http));
        Assert.Contains("routingctl peer", e.Message);

        var truncated = new MemoryStream();
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, 100);
        truncated.Write(header);
        truncated.Write("{\"type\""u8);
        truncated.Position = 0;
        await Assert.ThrowsAsync<ProtocolException>(() => Frames.ReadAsync(truncated));
    }

    [Fact]
    public async Task Without_a_key_or_with_a_bad_target_routingctl_stops_before_connecting()
    {
        Environment.SetEnvironmentVariable("ROUTING_CTL_KEY", null);
        var e = new StringWriter();
        Assert.Equal(CtlApp.ExitUsage, await CtlApp.RunAsync(["127.0.0.1:1", "cluster", "show"], new StringWriter(), e));
        Assert.Contains("no key", e.ToString());
        e = new StringWriter();
        Assert.Equal(CtlApp.ExitUsage, await CtlApp.RunAsync(["127.0.0.1:99999", "--key", "k", "cluster", "show"], new StringWriter(), e));
        Assert.Contains("1-65535", e.ToString());
        var o = new StringWriter();
        Assert.Equal(CtlApp.ExitOk, await CtlApp.RunAsync(["--help"], o, new StringWriter()));
        Assert.Contains("usage: routingctl [host:port]", o.ToString());
    }
}
