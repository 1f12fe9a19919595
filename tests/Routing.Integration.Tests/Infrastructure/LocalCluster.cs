using System.Diagnostics;
using System.Text;

namespace Routing.Integration.Tests.Infrastructure;

/// <summary>
/// A cluster of real node processes with its own PostgreSQL, run by the same script a person uses
/// (tools/cluster.sh): N routing nodes and one edge node (gateway + api) on loopback ports that are free now.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _env;

    private LocalCluster(string dir, int routingNodes, Dictionary<string, string> env, int httpPort, int basePort, int pgPort)
    {
        Dir = dir;
        RoutingNodes = routingNodes;
        _env = env;
        HttpPort = httpPort;
        BasePort = basePort;
        PgPort = pgPort;
    }

    public string Dir { get; }

    public int RoutingNodes { get; }

    /// <summary>The edge node's HTTP API port.</summary>
    public int HttpPort { get; }

    /// <summary>The edge node's Akka port; routing node i listens on BasePort + i.</summary>
    public int BasePort { get; }

    public int PgPort { get; }

    public Uri Api => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The edge node's command port (routingctl); routing node i listens on CtlPort + i.</summary>
    public int CtlPort => int.Parse(_env["CTL_PORT"], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The cluster address of routing node i (0: the edge node).</summary>
    public string AkkaAddress(int node) => $"akka.tcp://routing@127.0.0.1:{BasePort + node}";

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Routing.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Starts PostgreSQL, <paramref name="routingNodes"/> routing nodes and the edge node with the provider configuration given.</summary>
    public static async Task<LocalCluster> StartAsync(int routingNodes, string configYaml, string? extraHocon = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "routing-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(config, configYaml);
        var env = new Dictionary<string, string>
        {
            ["CLUSTER_DIR"] = dir,
            ["CONFIG"] = config,
            ["PG_PORT"] = FreePort.UdpAndTcp().ToString(),
            ["BASE_PORT"] = FreePort.Consecutive(routingNodes + 2).ToString(),
            ["HTTP_PORT"] = FreePort.Consecutive(routingNodes + 2).ToString(),
            ["CTL_PORT"] = FreePort.Consecutive(routingNodes + 2).ToString(),
            ["SIP_PORT"] = FreePort.UdpAndTcp().ToString(),
            ["NO_BUILD"] = "1", // the solution build made the Release node; the script builds it when it is missing
        };
        if (extraHocon is not null)
        {
            var file = Path.Combine(dir, "extra.conf");
            await File.WriteAllTextAsync(file, extraHocon);
            env["EXTRA_HOCON"] = file;
        }
        var cluster = new LocalCluster(dir, routingNodes, env, int.Parse(env["HTTP_PORT"]), int.Parse(env["BASE_PORT"]), int.Parse(env["PG_PORT"]));
        try
        {
            await cluster.Run("start", routingNodes.ToString());
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public Task Kill(int node) => Run("kill", node.ToString());

    public Task Leave(int node) => Run("leave", node.ToString());

    public Task StartNode(int node) => Run("start-node", node.ToString());

    public Task Roll() => Run("roll");

    public Task Pause(int node) => Run("pause", node.ToString());

    public Task Resume(int node) => Run("resume", node.ToString());

    /// <summary>The exit code of the node's last run, or null while it runs.</summary>
    public async Task<int?> ExitCode(int node) => int.TryParse((await Run("exit-code", node.ToString())).Trim(), out var code) ? code : null;

    public Task<bool> IsAlive(int node) => IsAlive($"routing-{node}");

    /// <summary>Whether the process of <paramref name="name"/> ("routing-2", "edge") runs.</summary>
    public async Task<bool> IsAlive(string name) =>
        (await Run("status")).Split('\n').Any(l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith("alive", StringComparison.Ordinal));

    /// <summary>One statement on the cluster's database, as the routing user; the rows as psql prints them (unaligned).</summary>
    public Task<string> Sql(string statement) => Run("psql", statement);

    public string Log(string node) => File.Exists(Path.Combine(Dir, node + ".log")) ? File.ReadAllText(Path.Combine(Dir, node + ".log")) : "";

    /// <summary>Runs tools/cluster.sh with this cluster's settings; a non-zero exit throws with the script's output.</summary>
    public async Task<string> Run(params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "tools", "cluster.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(timeout.Token);
        output.Append(await o).Append(await e);
        if (p.ExitCode != 0) throw new InvalidOperationException($"tools/cluster.sh {string.Join(' ', args)} exited {p.ExitCode}:\n{output}");
        return output.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Run("stop");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"cluster stop: {e.Message}");
        }
        if (Environment.GetEnvironmentVariable("ROUTING_KEEP_CLUSTER") is null)
        {
            KeepLogs();
            try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    // The nodes' logs outlive the cluster in TestResults/cluster-logs/ (which .ci/run empties at each run): a flaky
    // multi-process test can only be explained from them, and the cluster's own directory is deleted.
    private void KeepLogs()
    {
        try
        {
            var target = Path.Combine(RepoRoot, "TestResults", "cluster-logs", Path.GetFileName(Dir));
            Directory.CreateDirectory(target);
            foreach (var log in Directory.EnumerateFiles(Dir, "*.log"))
                File.Copy(log, Path.Combine(target, Path.GetFileName(log)), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cluster logs not kept: {e.Message}");
        }
    }
}
