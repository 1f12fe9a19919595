namespace Routing.Ctl.Protocol;

/// <summary>An option of a command: <c>-r</c>/<c>--region</c> with a value, or a flag such as <c>--active</c>.</summary>
public sealed record OptionSpec(string Long, string? Short, string? ValueName, bool Required = false, string Help = "")
{
    public bool IsFlag => ValueName is null;

    public string Usage => (Short is null ? Long : $"{Short}|{Long}") + (IsFlag ? "" : $" <{ValueName}>");
}

/// <summary>A positional argument.</summary>
public sealed record ArgSpec(string Name, bool Required, string Help = "");

/// <summary>One command of the catalogue: its words ("cluster", "leave"), arguments and options.</summary>
public sealed record CommandSpec(string[] Words, string Summary, ArgSpec[] Args, OptionSpec[] Options, bool Streams = false)
{
    public string Name => string.Join(' ', Words);

    public string Usage => string.Join(' ', new[] { Name }
        .Concat(Args.Select(a => a.Required ? $"<{a.Name}>" : $"[{a.Name}]"))
        .Concat(Options.Select(o => o.Required ? o.Usage : $"[{o.Usage}]")));
}

/// <summary>A command line matched against the catalogue.</summary>
public sealed record ParsedCommand(CommandSpec Spec, IReadOnlyDictionary<string, string> Args, IReadOnlyDictionary<string, string> Options)
{
    public string? Arg(string name) => Args.TryGetValue(name, out var v) ? v : null;

    public string? Option(string longName) => Options.TryGetValue(longName, out var v) ? v : null;

    public bool Flag(string longName) => Options.ContainsKey(longName);
}

/// <summary>A command line that does not match: what is wrong, in words a user can act on.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>
/// Every command the command host runs, with pbm's names where pbm has one (cluster, cluster-sharding, actor) and the
/// contact-centre palette. The CLI uses it for help, completion and "did you mean" without a round trip; the host
/// parses again (it never trusts the client).
/// </summary>
public static class CommandCatalogue
{
    private static readonly OptionSpec Region = new("--region", "-r", "type", Required: true, Help: "entity type: call, operator, queue, router, config");
    private static readonly OptionSpec Tenant = new("--tenant", "-t", "tenant", Help: "only this tenant");

    public static readonly IReadOnlyList<CommandSpec> All =
    [
        new(["cluster", "show"], "every member: address, status, roles, reachability, age", [], []),
        new(["cluster", "status"], "this node's view: its status, the leader, counts by status, convergence", [], []),
        new(["cluster", "leader"], "the leader, and the leader of each role", [], []),
        new(["cluster", "leave"], "make a member (this node by default) leave gracefully: shards are handed off first", [new("address", false)], []),
        new(["cluster", "down"], "mark a member as down (it is removed and its shards move)", [new("address", true)], []),
        new(["cluster", "join"], "make this node join the cluster of the given member", [new("address", true)], []),
        new(["cluster", "down-unreachable"], "down every member this node sees as unreachable", [], []),
        new(["cluster", "tail"], "stream membership and reachability events until Ctrl+C", [], [], Streams: true),
        new(["cluster-sharding", "regions"], "the entity types (shard regions) of this node", [], []),
        new(["cluster-sharding", "region-stats"], "shards and entities per node for one entity type; the coordinator's node is marked", [], [Region]),
        new(["cluster-sharding", "shard-stats"], "every shard of one entity type: its node and number of entities", [], [Region]),
        new(["actor", "hierarchy"], "this node's actor tree", [], [new("--depth", "-d", "depth", Help: "levels below /user and /system (default 3)")]),
        new(["tenant", "list"], "tenants with their numbers, queues and live totals", [], []),
        new(["queue", "list"], "queues with live figures (waiting, longest wait, service level, operators)", [], [Tenant]),
        new(["queue", "show"], "one queue's figures and its waiting calls in order", [new("queue", true, "tenant/queue")], []),
        new(["operator", "list"], "operators with their state", [], [Tenant, new("--state", "-s", "state", Help: "only operators in this state (ready, reserved, on-call, wrap-up, not-ready, logged-out)")]),
        new(["operator", "show"], "one operator: state, reason, call, skills, figures", [new("operator", true)], []),
        new(["call", "show"], "one call and its event history as a timeline", [new("call", true)], []),
        new(["call", "list"], "calls in progress anywhere in the cluster", [], [new("--active", "-a", null, Required: true, Help: "calls not yet ended")]),
        new(["help"], "the commands, or one command's usage", [new("command", false)], []),
    ];

    /// <summary>The first words of the commands ("cluster", "queue"…).</summary>
    public static IEnumerable<string> Groups => All.Select(c => c.Words[0]).Distinct();

    /// <summary>Matches words (without the client's own options) to a command, or throws with a helpful message.</summary>
    public static ParsedCommand Parse(IReadOnlyList<string> words)
    {
        if (words.Count == 0) throw new CommandLineException("no command given; try 'help'");
        var spec = All.Where(c => c.Words.Length <= words.Count && c.Words.Select((w, i) => (w, i)).All(x => string.Equals(x.w, words[x.i], StringComparison.OrdinalIgnoreCase)))
            .MaxBy(c => c.Words.Length);
        if (spec is null) throw new CommandLineException(UnknownMessage(words));

        var args = new Dictionary<string, string>();
        var options = new Dictionary<string, string>();
        if (spec.Words is ["help"])
        {
            if (words.Count > 1) args["command"] = string.Join(' ', words.Skip(1));
            return new ParsedCommand(spec, args, options);
        }
        var positional = 0;
        for (var i = spec.Words.Length; i < words.Count; i++)
        {
            var w = words[i];
            if (w.StartsWith('-') && w.Length > 1)
            {
                var name = w;
                string? inline = null;
                var eq = w.IndexOf('=');
                if (w.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                {
                    name = w[..eq];
                    inline = w[(eq + 1)..];
                }
                var opt = spec.Options.FirstOrDefault(o => o.Long == name || o.Short == name)
                    ?? throw new CommandLineException($"'{spec.Name}' has no option '{name}'" + Suggest(name, spec.Options.Select(o => o.Long)) + $"; usage: {spec.Usage}");
                if (opt.IsFlag)
                {
                    if (inline is not null) throw new CommandLineException($"'{opt.Long}' takes no value");
                    options[opt.Long] = "true";
                }
                else
                {
                    var value = inline ?? (i + 1 < words.Count ? words[++i] : throw new CommandLineException($"'{opt.Long}' needs a value <{opt.ValueName}>; usage: {spec.Usage}"));
                    options[opt.Long] = value;
                }
                continue;
            }
            if (positional >= spec.Args.Length)
                throw new CommandLineException($"'{spec.Name}' takes {(spec.Args.Length == 0 ? "no arguments" : $"at most {spec.Args.Length} argument(s)")}, but '{w}' was given; usage: {spec.Usage}");
            args[spec.Args[positional++].Name] = w;
        }
        foreach (var a in spec.Args.Where(a => a.Required && !args.ContainsKey(a.Name)))
            throw new CommandLineException($"'{spec.Name}' needs <{a.Name}>; usage: {spec.Usage}");
        foreach (var o in spec.Options.Where(o => o.Required && !options.ContainsKey(o.Long)))
            throw new CommandLineException($"'{spec.Name}' needs {o.Usage}; usage: {spec.Usage}");
        return new ParsedCommand(spec, args, options);
    }

    private static string UnknownMessage(IReadOnlyList<string> words)
    {
        var group = All.Where(c => string.Equals(c.Words[0], words[0], StringComparison.OrdinalIgnoreCase)).ToList();
        if (group.Count == 0)
            return $"unknown command '{words[0]}'" + Suggest(words[0], Groups) + "; try 'help'";
        if (words.Count == 1)
            return $"'{words[0]}' needs a sub-command: {string.Join(", ", group.Select(c => c.Words[1]))}";
        return $"unknown command '{words[0]} {words[1]}'" + Suggest(words[1], group.Select(c => c.Words[1]), $"{words[0]} ") +
               $"; '{words[0]}' has: {string.Join(", ", group.Select(c => c.Words[1]))}";
    }

    /// <summary>"; did you mean 'x'?" for the closest candidate within a small edit distance (or sharing a prefix).</summary>
    public static string Suggest(string given, IEnumerable<string> candidates, string prefix = "")
    {
        var best = candidates
            .Select(c => (c, d: Distance(given.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, x.c.Length / 3) || x.c.StartsWith(given, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.d).Select(x => x.c).FirstOrDefault();
        return best is null ? "" : $"; did you mean '{prefix}{best}'?";
    }

    /// <summary>Levenshtein distance (with adjacent transpositions counted as one edit).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// Completions for the last word of a partly typed line: command words at the start, then the command's options.
    /// Returns whole words (the caller replaces the last word).
    /// </summary>
    public static IReadOnlyList<string> Complete(string line)
    {
        var endsWithSpace = line.Length > 0 && char.IsWhiteSpace(line[^1]);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var partial = endsWithSpace || words.Count == 0 ? "" : words[^1];
        var done = endsWithSpace || words.Count == 0 ? words : words[..^1];

        IEnumerable<string> candidates;
        if (done.Count == 0) candidates = Groups;
        else
        {
            var group = All.Where(c => string.Equals(c.Words[0], done[0], StringComparison.OrdinalIgnoreCase)).ToList();
            if (done.Count == 1 && group.Any(c => c.Words.Length > 1)) candidates = group.Where(c => c.Words.Length > 1).Select(c => c.Words[1]);
            else
            {
                var spec = group.FirstOrDefault(c => c.Words.Length == 1 || (done.Count > 1 && string.Equals(c.Words[1], done[1], StringComparison.OrdinalIgnoreCase)));
                candidates = spec is null ? [] : spec.Options.Select(o => o.Long).Where(o => !done.Contains(o));
                if (spec is { Words: ["help"] }) candidates = Groups;
            }
        }
        return [.. candidates.Where(c => c.StartsWith(partial, StringComparison.OrdinalIgnoreCase)).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Splits a typed line into words; double or single quotes keep spaces inside a word.</summary>
    public static IReadOnlyList<string> SplitLine(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var ch in line)
        {
            if (quote is { } q)
            {
                if (ch == q) quote = null;
                else current.Append(ch);
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
                any = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (current.Length > 0 || any) words.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else current.Append(ch);
        }
        if (quote is not null) throw new CommandLineException("a quote is not closed");
        if (current.Length > 0 || any) words.Add(current.ToString());
        return words;
    }

    /// <summary>The help text: every command's usage and summary, or one command's with its options.</summary>
    public static IReadOnlyList<string> Help(string? command = null)
    {
        if (command is null)
        {
            var width = All.Max(c => c.Usage.Length);
            return [.. All.Select(c => $"{c.Usage.PadRight(width)}  {c.Summary}")];
        }
        var matches = All.Where(c => c.Name.StartsWith(command, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0) throw new CommandLineException($"unknown command '{command}'" + Suggest(command, All.Select(c => c.Name)));
        return [.. matches.SelectMany(c => new[] { $"{c.Usage}", $"  {c.Summary}" }.Concat(c.Options.Select(o => $"  {o.Usage}  {o.Help}")))];
    }
}
