using System.Text;
using System.Text.Json;
using Akka.Configuration;
using Routing.Cluster;

namespace Routing.Node;

/// <summary>
/// Builds a node's Akka configuration the petabridge/lighthouse way. Highest precedence first:
/// <list type="number">
/// <item>a fragment made in code from the options and environment (hostname, port, roles, seeds, SQLite file in the data dir);</item>
/// <item>the options' HOCON text (tests);</item>
/// <item>the --hocon files, the last one winning;</item>
/// <item>hocon/single-node.conf (always: it supplies the SQLite journal; its seed is replaced, see below);</item>
/// <item>hocon/sbr.conf (always: failure detector, split-brain resolver, hand-off timings, identical on every node);</item>
/// <item>hocon/routing.conf;</item>
/// <item><see cref="RoutingCluster.DefaultConfig"/>.</item>
/// </list>
/// Without --seeds and without seed-nodes in a --hocon file the node forms its own cluster by joining itself
/// (so any port, 0 included, works). The fragment sets the SQLite connection strings to the data dir only when the
/// journal is SQLite and no --hocon file sets a connection string of its own.
/// </summary>
public static class NodeHocon
{
    /// <summary>The single-node default journal (<c>SqliteJournal</c>, hocon/single-node.conf).</summary>
    public const string JournalPath = "akka.persistence.journal.sqlite";
    /// <summary>Akka.Persistence.Sql's journal: PostgreSQL for a cluster (hocon/postgres.conf), or SQLite if a file picks it.</summary>
    public const string SqlJournalPath = "akka.persistence.journal.sql";
    public const string SnapshotPath = "akka.persistence.snapshot-store.sqlite";
    public const string SqlSnapshotPath = "akka.persistence.snapshot-store.sql";
    public const string QueryPath = "akka.persistence.query.journal.sql";
    public const int DefaultAkkaPort = 4053;

    /// <summary>The configuration, the files it came from (for the banner), whether to join self, and the SQLite files to prepare.</summary>
    public sealed record Result(Config Config, string Fragment, IReadOnlyList<string> Files, bool JoinSelf, IReadOnlyList<string> SqliteConnectionStrings);

    /// <summary>A file shipped with the node (hocon/, config/): relative to the current directory, else next to the executable.</summary>
    public static string FindShippedFile(string relative)
    {
        if (Path.IsPathRooted(relative)) return relative;
        var here = Path.GetFullPath(relative);
        if (File.Exists(here)) return here;
        var beside = Path.Combine(AppContext.BaseDirectory, relative);
        return File.Exists(beside) ? beside : here;
    }

    /// <summary>Reads and checks one HOCON file; a <see cref="NodeConfigException"/> names the file and line of the first mistake.</summary>
    public static Config LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigException($"{path}: cannot read the HOCON file: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Checks and parses HOCON text; <paramref name="source"/> names it in messages.</summary>
    public static Config Parse(string text, string source)
    {
        if (HoconSyntax.Check(text) is { } error)
            throw new NodeConfigException($"{source}:{error.Line}:{error.Column}: {error.Message}");
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new NodeConfigException($"{source}: {e.Message}");
        }
    }

    public static Result Build(RoutingNodeOptions options)
    {
        var files = new List<string>();
        var userFiles = new List<(string Path, Config Config)>();
        foreach (var f in options.HoconFiles)
        {
            var full = Path.GetFullPath(f);
            if (!File.Exists(full)) throw new NodeConfigException($"{f}: the HOCON file does not exist");
            userFiles.Add((full, LoadFile(full)));
        }
        var extra = options.HoconText is { } t ? Parse(t, "hocon text") : null;

        var singleNodePath = FindShippedFile("hocon/single-node.conf");
        var sbrPath = FindShippedFile("hocon/sbr.conf");
        var routingPath = FindShippedFile("hocon/routing.conf");
        var shipped = new List<(string Path, Config Config)>();
        foreach (var p in new[] { singleNodePath, sbrPath, routingPath })
        {
            if (!File.Exists(p)) throw new NodeConfigException($"{p}: the HOCON file shipped with the node is missing");
            shipped.Add((p, LoadFile(p)));
        }

        // Everything but the fragment, highest precedence first.
        var layers = new List<Config>();
        if (extra is not null) layers.Add(extra);
        layers.AddRange(userFiles.AsEnumerable().Reverse().Select(u => u.Config));
        layers.AddRange(shipped.Select(s => s.Config));
        var user = layers.Take(userFiles.Count + (extra is null ? 0 : 1)).ToList();
        var merged = RoutingCluster.DefaultConfig;
        for (var i = layers.Count - 1; i >= 0; i--) merged = layers[i].WithFallback(merged);

        var fragment = new StringBuilder();
        void Set(string path, string hoconValue) => fragment.Append(path).Append(" = ").Append(hoconValue).Append('\n');

        if (options.Hostname is { Length: > 0 } host)
        {
            Set("akka.remote.dot-netty.tcp.hostname", Quote(options.BindHostname is { Length: > 0 } b ? b : host));
            Set("akka.remote.dot-netty.tcp.public-hostname", Quote(host));
        }
        else if (options.BindHostname is { Length: > 0 } bind)
            Set("akka.remote.dot-netty.tcp.hostname", Quote(bind));
        if (options.Port is { } port) Set("akka.remote.dot-netty.tcp.port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var roles = options.Roles.Select(r => r.Trim().ToLowerInvariant()).Where(r => r.Length > 0).Distinct().ToList();
        var unknown = roles.Where(r => !RoutingNodeOptions.AllRoles.Contains(r)).ToList();
        if (roles.Count == 0 || unknown.Count > 0)
            throw new NodeConfigException($"--roles: expected a comma list of {string.Join(", ", RoutingNodeOptions.AllRoles)}{(unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}" : "")}");
        Set("akka.cluster.roles", "[" + string.Join(", ", roles.Select(Quote)) + "]");

        // Program leaves the cluster itself on SIGTERM/SIGINT; Akka's own signal hook would race it.
        Set("akka.coordinated-shutdown.run-by-clr-shutdown-hook", "off");

        var joinSelf = false;
        if (options.Seeds.Count > 0)
            Set("akka.cluster.seed-nodes", "[" + string.Join(", ", options.Seeds.Select(s => Quote(SeedAddress(s, merged)))) + "]");
        else if (!user.Any(c => c.HasPath("akka.cluster.seed-nodes") && c.GetStringList("akka.cluster.seed-nodes").Count > 0))
        {
            Set("akka.cluster.seed-nodes", "[]");
            joinSelf = true;
        }

        var journal = merged.GetString("akka.persistence.journal.plugin", "") ?? "";
        var sqliteJournal = journal == JournalPath || (journal == SqlJournalPath && IsSqlite(merged, SqlJournalPath)) ? journal : null;
        if (sqliteJournal is not null && !user.Any(c => c.HasPath(sqliteJournal + ".connection-string")))
        {
            var file = Path.Combine(Path.GetFullPath(options.DataDir), "routing.db");
            var cs = Quote($"Data Source={file}");
            Set(sqliteJournal + ".connection-string", cs);
            var snapshots = merged.GetString("akka.persistence.snapshot-store.plugin", "") ?? "";
            if (snapshots == SnapshotPath || (snapshots == SqlSnapshotPath && IsSqlite(merged, SqlSnapshotPath))) Set(snapshots + ".connection-string", cs);
            if (IsSqlite(merged, QueryPath)) Set(QueryPath + ".connection-string", cs);
        }

        foreach (var path in new[] { SqlJournalPath, SqlSnapshotPath, QueryPath })
        {
            if (!IsPostgres(merged, path)) continue;
            if (options.DbConnection is { Length: > 0 } db) Set(path + ".connection-string", Quote(db));
            else if (string.IsNullOrWhiteSpace(merged.GetString(path + ".connection-string", "")))
                throw new NodeConfigException($"{path}: the journal is PostgreSQL but no connection string is set: give ROUTING_DB_CONNECTION (or --db-connection), e.g. \"Host=127.0.0.1;Port=5432;Database=routing;Username=routing;Password=...\"");
        }

        var fragmentText = fragment.ToString();
        var config = ConfigurationFactory.ParseString(fragmentText).WithFallback(merged);

        var sqlite = new[] { sqliteJournal, config.GetString("akka.persistence.snapshot-store.plugin", null) }
            .OfType<string>()
            .Where(p => p == JournalPath || p == SnapshotPath || IsSqlite(config, p))
            .Select(p => config.GetString(p + ".connection-string", null))
            .OfType<string>().Where(s => s.Length > 0).Distinct().ToList();

        files.AddRange(userFiles.AsEnumerable().Reverse().Select(u => u.Path));
        files.AddRange(shipped.Select(s => s.Path));
        return new Result(config, fragmentText, files, joinSelf, sqlite);
    }

    private static bool IsPostgres(Config config, string path) =>
        config.GetString(path + ".provider-name", "")?.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) == true;

    private static bool IsSqlite(Config config, string path) =>
        config.GetString(path + ".provider-name", "")?.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>"host", "host:port" or a full "akka.tcp://routing@host:port" address.</summary>
    public static string SeedAddress(string seed, Config? config = null)
    {
        seed = seed.Trim();
        if (seed.Contains("://", StringComparison.Ordinal)) return seed;
        var system = "routing";
        var colon = seed.LastIndexOf(':');
        if (colon > 0 && int.TryParse(seed[(colon + 1)..], out _)) return $"akka.tcp://{system}@{seed}";
        var port = config?.GetInt("akka.remote.dot-netty.tcp.port", DefaultAkkaPort) ?? DefaultAkkaPort;
        if (port == 0) port = DefaultAkkaPort;
        return $"akka.tcp://{system}@{seed}:{port}";
    }

    /// <summary>A HOCON quoted string (HOCON's quoted strings are JSON strings).</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value);
}
