using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Routing.Api;
using Routing.Cluster;
using Routing.Cluster.Facade;
using Routing.Domain.Config;

namespace Routing.Node;

/// <summary>
/// One running Routing node: its ActorSystem in the cluster, the routing core, and (with the api role) the HTTP API
/// on Kestrel. Program uses it; tests start it in-process (free ports, a temp data dir) and dispose it.
/// </summary>
public sealed class RoutingNodeHost : IAsyncDisposable
{
    private readonly WebApplication? _web;
    private readonly SemaphoreSlim _stopping = new(1, 1);
    private bool _stopped;

    private RoutingNodeHost(RoutingNodeOptions options, string configSource, ProviderConfig fileConfig,
        IReadOnlyList<ConfigError> warnings, NodeHocon.Result hocon, ActorSystem system, IRoutingService routing,
        WebApplication? web, Uri? httpAddress, Routing.Gateway.SipGateway? gateway, Ops.CommandHost? commands)
    {
        Commands = commands;
        Gateway = gateway;
        Options = options;
        ConfigSource = configSource;
        FileConfig = fileConfig;
        ConfigWarnings = warnings;
        Hocon = hocon;
        System = system;
        Routing = routing;
        _web = web;
        HttpAddress = httpAddress;
    }

    public RoutingNodeOptions Options { get; }

    /// <summary>The command host `routingctl` connects to; null when the node runs without one.</summary>
    public Ops.CommandHost? Commands { get; }

    /// <summary>The gateway role's SIP side; null without the gateway role.</summary>
    public Routing.Gateway.SipGateway? Gateway { get; }

    /// <summary>Where the gateway answers SIP (UDP and TCP); null without the gateway role.</summary>
    public IPEndPoint? SipEndPoint => Gateway?.SipEndPoint;

    /// <summary>The YAML file the provider configuration came from ("inline" for text).</summary>
    public string ConfigSource { get; }

    public ProviderConfig FileConfig { get; }

    public IReadOnlyList<ConfigError> ConfigWarnings { get; }

    public NodeHocon.Result Hocon { get; }

    public ActorSystem System { get; }

    public IRoutingService Routing { get; }

    /// <summary>This node's cluster address (with the real port when started on port 0).</summary>
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Where the node's HTTP answers (/healthz, /ready, /metrics, and /api with the api role; a loopback URL when listening on every address).</summary>
    public Uri? HttpAddress { get; }

    /// <summary>Completes when the ActorSystem has terminated: after <see cref="StopAsync"/>, or on its own when the node was downed.</summary>
    public Task Terminated => System.WhenTerminated;

    /// <summary>True once <see cref="StopAsync"/> was called: a termination after that is not a failure.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>The one-line start-up banner.</summary>
    public string Banner =>
        $"Routing node up: roles={string.Join(",", Options.Roles)} address={Address} " +
        $"http={(HttpAddress is null ? "off" : $"http://{Options.HttpHost}:{HttpAddress.Port}")} " +
        $"ctl={(Commands is null ? "off" : $"{Options.CtlHost}:{Commands.EndPoint.Port}")} config={ConfigSource}";

    /// <summary>
    /// Loads the configuration (YAML and HOCON, throwing <see cref="NodeConfigException"/> for mistakes), creates the
    /// ActorSystem, joins or forms the cluster, starts the routing core and, with the api role, the HTTP API.
    /// </summary>
    public static async Task<RoutingNodeHost> StartAsync(RoutingNodeOptions options, CancellationToken ct = default)
    {
        var (source, report) = LoadProviderConfig(options);
        if (!report.IsValid)
            throw new NodeConfigException(report.Errors.IsEmpty ? [$"{source}: invalid configuration"] : [.. report.Errors.Select(e => e.ToString())]);
        var fileConfig = report.Config!;
        if (!string.IsNullOrEmpty(options.AdminKey)) fileConfig = fileConfig with { AdminKey = options.AdminKey };

        var hocon = NodeHocon.Build(options);
        foreach (var cs in hocon.SqliteConnectionStrings)
        {
            try
            {
                RoutingCluster.PrepareSqlite(cs);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new NodeConfigException($"SQLite '{cs}': {e.Message}");
            }
        }

        var system = ActorSystem.Create("routing", hocon.Config);
        WebApplication? web = null;
        Routing.Gateway.SipGateway? gateway = null;
        Ops.CommandHost? commands = null;
        try
        {
            using var start = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (options.StartTimeout is { } timeout) start.CancelAfter(timeout);

            var cluster = Akka.Cluster.Cluster.Get(system);
            if (hocon.JoinSelf) await cluster.JoinAsync(cluster.SelfAddress, start.Token);

            IRoutingService routing;
            try
            {
                routing = await RoutingCluster.StartAsync(system, fileConfig, start.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && start.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"the node did not become a cluster member within {options.StartTimeout}: are the seed nodes ({string.Join(", ", options.Seeds)}) up?");
            }

            if (options.HasRole("gateway")) gateway = StartGateway(options, system, routing);

            // Every node serves /healthz, /ready and /metrics; the /api routes only with the api role.
            web = BuildWeb(options, system, routing);
            await web.StartAsync(ct);
            var http = BoundAddress(web);
            commands = StartCommandHost(options, fileConfig, system, routing);
            return new RoutingNodeHost(options, source, fileConfig, report.Warnings, hocon, system, routing, web, http, gateway, commands);
        }
        catch
        {
            if (commands is not null) await commands.DisposeAsync();
            gateway?.Dispose();
            if (web is not null) await web.DisposeAsync();
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
            throw;
        }
    }

    private static Routing.Gateway.SipGateway StartGateway(RoutingNodeOptions options, ActorSystem system, IRoutingService routing)
    {
        if (!IPAddress.TryParse(options.SipHost, out var bind)) throw new NodeConfigException($"--sip-host: '{options.SipHost}' is not an IP address");
        IPAddress? advertise = null;
        if (options.SipAdvertise is { } a && !IPAddress.TryParse(a, out advertise)) throw new NodeConfigException($"--sip-advertise: '{a}' is not an IP address");
        var parts = options.RtpPorts.Split('-');
        global::Routing.Media.Transport.RtpPortRange range;
        try
        {
            range = new global::Routing.Media.Transport.RtpPortRange(int.Parse(parts[0], global::System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[^1], global::System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new NodeConfigException($"--rtp-ports: '{options.RtpPorts}' is not an even first port and a last port, e.g. 20000-29999 ({e.Message})");
        }
        var prompts = Path.IsPathRooted(options.PromptsDir) || Directory.Exists(options.PromptsDir)
            ? Path.GetFullPath(options.PromptsDir)
            : Path.Combine(AppContext.BaseDirectory, options.PromptsDir);
        if (!Directory.Exists(prompts)) throw new NodeConfigException($"{options.PromptsDir}: the prompt directory does not exist");
        try
        {
            return global::Routing.Gateway.GatewayRole.Start(system, routing, new global::Routing.Gateway.GatewayOptions
            {
                BindAddress = bind,
                AdvertisedAddress = advertise,
                SipPort = options.SipPort,
                RtpPorts = range,
                PromptsDir = prompts,
                SpeechCacheDir = Path.Combine(options.DataDir, "spoken-prompts"),
                MaxCalls = options.MaxCalls,
            });
        }
        catch (global::System.Net.Sockets.SocketException e)
        {
            throw new NodeConfigException($"--sip-port {options.SipPort}: cannot listen ({e.Message})");
        }
    }

    private static Ops.CommandHost? StartCommandHost(RoutingNodeOptions options, ProviderConfig config, ActorSystem system, IRoutingService routing)
    {
        if (options.CtlPort is not { } port) return null;
        if (!IPAddress.TryParse(options.CtlHost, out var ip)) throw new NodeConfigException($"--ctl-host: '{options.CtlHost}' is not an IP address");
        var key = options.CtlKey ?? config.AdminKey;
        if (string.IsNullOrEmpty(key))
            throw new NodeConfigException("the command host (routingctl) needs a key: set ROUTING_CTL_KEY or the provider admin key (provider.adminKey, ROUTING_ADMIN_KEY)");
        try
        {
            return new Ops.CommandHost(ip, port, key, system, routing);
        }
        catch (global::System.Net.Sockets.SocketException e)
        {
            throw new NodeConfigException($"--ctl-port {port}: cannot listen ({e.Message})");
        }
    }

    private static (string Source, ConfigReport Report) LoadProviderConfig(RoutingNodeOptions options)
    {
        if (options.ConfigText is { } text) return ("inline", ConfigLoader.Check(text, "inline"));
        var path = NodeHocon.FindShippedFile(options.ConfigPath);
        if (!File.Exists(path)) throw new NodeConfigException($"{options.ConfigPath}: the configuration file does not exist (looked in {Environment.CurrentDirectory} and {AppContext.BaseDirectory})");
        return (path, ConfigLoader.CheckFile(path));
    }

    private static WebApplication BuildWeb(RoutingNodeOptions options, ActorSystem system, IRoutingService routing)
    {
        if (!IPAddress.TryParse(options.HttpHost, out var ip))
            throw new NodeConfigException($"--http-host: '{options.HttpHost}' is not an IP address");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(RoutingNodeHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = [],
        });
        builder.Logging.SetMinimumLevel(options.HttpLogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.HttpLogLevel > LogLevel.Warning ? options.HttpLogLevel : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", options.HttpLogLevel > LogLevel.Warning ? options.HttpLogLevel : LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(ip, options.HttpPort);
            k.Limits.MaxRequestBodySize = RoutingApiOptions.ServerBodyLimitBytes; // the API refuses bodies over 64 KB itself, with a 413 the client can read
            k.AddServerHeader = false;
        });
        builder.Services.AddSingleton(system);
        builder.Services.AddSingleton(routing);
        var api = options.HasRole("api");
        if (api) builder.Services.AddRoutingApi(o => o.AdminKey = options.AdminKey);
        // OpenTelemetry rather than prometheus-net: the gateway and the routing core count on System.Diagnostics.Metrics
        // meters already (no library type in their code), and OpenTelemetry exports exactly those.
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(global::Routing.Cluster.RoutingMetrics.MeterName, "Routing.Gateway")
            .AddPrometheusExporter());
        var app = builder.Build();
        new NodeHealth(system).Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (api) app.MapRoutingApi();
        return app;
    }

    private static Uri BoundAddress(WebApplication web)
    {
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        var uri = new Uri(address.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://[::]:", "://[::1]:", StringComparison.Ordinal));
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>
    /// Leaves the cluster gracefully (CoordinatedShutdown: shards are handed off, the member leaves and is removed),
    /// then stops the HTTP API. Safe to call more than once, and after the node was downed.
    /// </summary>
    public async Task StopAsync(CoordinatedShutdown.Reason? reason = null, CancellationToken ct = default)
    {
        await _stopping.WaitAsync(ct);
        try
        {
            if (_stopped) return;
            StopRequested = true;
            Gateway?.Dispose();
            await CoordinatedShutdown.Get(System).Run(reason ?? CoordinatedShutdown.ClusterLeavingReason.Instance);
            if (Commands is not null) await Commands.DisposeAsync();
            if (_web is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _web.StopAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // Requests still open after the grace period are cut; the process is leaving anyway.
                }
                await _web.DisposeAsync();
            }
            _stopped = true;
        }
        finally
        {
            _stopping.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
