using System.Globalization;
using System.Text.RegularExpressions;
using Routing.Ctl.Protocol;

namespace Routing.Ctl;

/// <summary>
/// routingctl, as pbm: <c>routingctl</c> (127.0.0.1:9110, interactive), <c>routingctl host:port</c> (interactive),
/// <c>routingctl host:port command…</c> (one command, then exit). Global options anywhere on the line: <c>--key</c>
/// (else ROUTING_CTL_KEY), <c>--json</c>, <c>--timeout seconds</c>. Exit codes: 0 done, 1 the command failed on the node,
/// 2 a usage mistake (unknown command, missing argument), 3 the node could not be reached or refused the key.
/// </summary>
public static partial class CtlApp
{
    public const int ExitOk = 0, ExitFailed = 1, ExitUsage = 2, ExitUnreachable = 3;
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 9110;

    [GeneratedRegex(@"^(?<host>\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):(?<port>\d{1,5})$")]
    private static partial Regex Target();

    /// <summary>Where the interactive prompt reads from: the terminal (line editor) or redirected input (lines).</summary>
    public sealed record Input(TextReader Lines, Func<ConsoleKeyInfo>? ReadKey, List<string>? History = null);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, Input? input = null,
        bool terminal = false, Func<CancellationToken>? commandCancellation = null, CancellationToken ct = default)
    {
        string? key = null;
        var json = false;
        var timeout = TimeSpan.FromSeconds(10);
        var words = new List<string>();
        string host = DefaultHost;
        var port = DefaultPort;
        var targetGiven = false;
        for (var i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a is "--json") json = true;
            else if (a is "--key" or "-k")
            {
                if (i + 1 >= argv.Count) return Usage(stderr, "--key needs a value");
                key = argv[++i];
            }
            else if (a.StartsWith("--key=", StringComparison.Ordinal)) key = a["--key=".Length..];
            else if (a is "--timeout")
            {
                if (i + 1 >= argv.Count || !double.TryParse(argv[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0)
                    return Usage(stderr, "--timeout needs a number of seconds");
                timeout = TimeSpan.FromSeconds(s);
                i++;
            }
            else if (a is "--help" or "-h" && words.Count == 0)
            {
                PrintUsage(stdout);
                return ExitOk;
            }
            else if (!targetGiven && words.Count == 0 && Target().Match(a) is { Success: true } m)
            {
                host = m.Groups["host"].Value.Trim('[', ']');
                if (!int.TryParse(m.Groups["port"].Value, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                    return Usage(stderr, $"'{a}': the port must be 1-65535");
                targetGiven = true;
            }
            else words.Add(a);
        }

        // A mistake in the command is caught here, without a round trip (the node checks again).
        if (words.Count > 0)
        {
            try
            {
                var parsed = CommandCatalogue.Parse(words);
                if (parsed.Spec.Words is ["help"])
                {
                    foreach (var l in CommandCatalogue.Help(parsed.Arg("command"))) stdout.WriteLine(l);
                    return ExitOk;
                }
            }
            catch (CommandLineException e)
            {
                return Usage(stderr, e.Message);
            }
        }

        key ??= Environment.GetEnvironmentVariable("ROUTING_CTL_KEY");
        if (string.IsNullOrEmpty(key))
            return Usage(stderr, "no key: pass --key <key> or set ROUTING_CTL_KEY (the node's ROUTING_CTL_KEY, or its provider admin key)");

        CtlClient client;
        try
        {
            client = await CtlClient.ConnectAsync(host, port, key, timeout, ct);
        }
        catch (CtlConnectException e)
        {
            stderr.WriteLine($"routingctl: {e.Message}");
            return ExitUnreachable;
        }
        await using (client)
        {
            var renderer = new Renderer(stdout, json, terminal);
            if (words.Count > 0) return await RunOne(client, words, renderer, stderr, commandCancellation?.Invoke() ?? ct);

            // Interactive: one connection, many commands.
            input ??= new Input(Console.In, null);
            stdout.WriteLine($"connected to {client.Node} (roles {string.Join(",", client.Roles)}); 'help' lists the commands, Tab completes, 'exit' leaves");
            var editor = input.ReadKey is { } rk ? new LineEditor(rk, stdout, input.History ?? []) : null;
            var prompt = $"routingctl {host}:{port}> ";
            var last = ExitOk;
            while (!ct.IsCancellationRequested)
            {
                string? line;
                if (editor is not null) line = editor.ReadLine(prompt);
                else
                {
                    line = await input.Lines.ReadLineAsync(ct);
                }
                if (line is null) break;
                IReadOnlyList<string> typed;
                try
                {
                    typed = CommandCatalogue.SplitLine(line);
                }
                catch (CommandLineException e)
                {
                    stderr.WriteLine($"routingctl: {e.Message}");
                    continue;
                }
                if (typed.Count == 0) continue;
                if (typed[0] is "exit" or "quit") break;
                var lineJson = typed.Contains("--json");
                var cmd = typed.Where(w => w != "--json").ToList();
                try
                {
                    var parsed = CommandCatalogue.Parse(cmd);
                    if (parsed.Spec.Words is ["help"])
                    {
                        foreach (var l in CommandCatalogue.Help(parsed.Arg("command"))) stdout.WriteLine(l);
                        continue;
                    }
                }
                catch (CommandLineException e)
                {
                    stderr.WriteLine($"routingctl: {e.Message}");
                    last = ExitUsage;
                    continue;
                }
                try
                {
                    last = await RunOne(client, cmd, lineJson ? new Renderer(stdout, true, terminal) : renderer, stderr, commandCancellation?.Invoke() ?? ct);
                }
                catch (CtlConnectException e)
                {
                    stderr.WriteLine($"routingctl: {e.Message}");
                    return ExitUnreachable;
                }
            }
            return last;
        }
    }

    private static async Task<int> RunOne(CtlClient client, IReadOnlyList<string> words, Renderer renderer, TextWriter stderr, CancellationToken ct)
    {
        string? error;
        try
        {
            error = await client.RunAsync(words, renderer.Frame, ct);
        }
        catch (CtlConnectException e)
        {
            stderr.WriteLine($"routingctl: {e.Message}");
            return ExitUnreachable;
        }
        renderer.Finish();
        if (error is null) return ExitOk;
        stderr.WriteLine($"routingctl: {error}");
        return ExitFailed;
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"routingctl: {message}");
        return ExitUsage;
    }

    public static void PrintUsage(TextWriter o)
    {
        o.WriteLine("usage: routingctl [host:port] [--key KEY] [--json] [--timeout SECONDS] [command…]");
        o.WriteLine($"  host:port  a node's command port (default {DefaultHost}:{DefaultPort}); without a command: an interactive prompt");
        o.WriteLine("  --key      the node's command key (default: env ROUTING_CTL_KEY)");
        o.WriteLine("  --json     print JSON instead of tables (streams: one JSON object per line)");
        o.WriteLine();
        o.WriteLine("commands:");
        foreach (var l in CommandCatalogue.Help()) o.WriteLine("  " + l);
    }
}
