using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Routing.Node;

// Exit codes: 0 stopped on request (SIGTERM/Ctrl+C, after leaving the cluster), 2 bad options or configuration,
// 3 the ActorSystem terminated on its own (the node was downed or removed), 1 anything else.
const int ExitOk = 0, ExitFailure = 1, ExitConfig = 2, ExitDowned = 3;

var configOption = new Option<string>("--config")
{
    Description = "The provider configuration (YAML). Looked up relative to the current directory, else next to the executable.",
    DefaultValueFactory = _ => "config/demo.yaml",
};
var hoconOption = new Option<string[]>("--hocon")
{
    Description = "An extra HOCON file; repeatable, a later file wins. The node's own options and environment win over all files.",
    AllowMultipleArgumentsPerToken = false,
};
var rolesOption = new Option<string>("--roles")
{
    Description = "Comma list of roles: gateway, routing, api.",
    DefaultValueFactory = _ => "gateway,routing,api",
};
var httpPortOption = new Option<int?>("--http-port") { Description = "HTTP port of the api role (default 8080, env ROUTING_HTTP_PORT)." };
var portOption = new Option<int?>("--port") { Description = "Akka remoting port (default 4053, env ROUTING_PORT)." };
var hostnameOption = new Option<string?>("--hostname") { Description = "Host name other nodes reach this node at (env ROUTING_HOSTNAME; default 127.0.0.1)." };
var bindHostnameOption = new Option<string?>("--bind-hostname") { Description = "Address Akka binds to when it differs from --hostname, e.g. 0.0.0.0 (env ROUTING_BIND_HOSTNAME)." };
var dbOption = new Option<string?>("--db-connection") { Description = "PostgreSQL connection string, for --hocon hocon/postgres.conf (env ROUTING_DB_CONNECTION)." };
var seedsOption = new Option<string?>("--seeds") { Description = "Comma list of seed nodes, host:port or akka.tcp://routing@host:port (env ROUTING_SEEDS). None: the node forms its own cluster." };
var dataDirOption = new Option<string>("--data-dir")
{
    Description = "Directory of the SQLite journal (when the journal is SQLite).",
    DefaultValueFactory = _ => "data",
};

var sipPortOption = new Option<int?>("--sip-port") { Description = "SIP port (UDP and TCP) of the gateway role (default 5060, env ROUTING_SIP_PORT)." };
var sipHostOption = new Option<string?>("--sip-host") { Description = "Address the SIP and RTP sockets bind to (default 0.0.0.0)." };
var sipAdvertiseOption = new Option<string?>("--sip-advertise") { Description = "Address written in Via, Contact and SDP (env ROUTING_SIP_ADVERTISE; default: the bind address, 127.0.0.1 for 0.0.0.0)." };
var rtpPortsOption = new Option<string?>("--rtp-ports") { Description = "RTP port range of the gateway role (default 20000-29999)." };
var ctlPortOption = new Option<int?>("--ctl-port") { Description = "Port of the command host for routingctl (default 9110, env ROUTING_CTL_PORT). Its key: env ROUTING_CTL_KEY, else the provider admin key." };
var ctlHostOption = new Option<string?>("--ctl-host") { Description = "Address the command host listens on (default 0.0.0.0)." };

var root = new RootCommand("Routing: one node of the automatic call distributor cluster.")
{
    configOption, hoconOption, rolesOption, httpPortOption, portOption, hostnameOption, bindHostnameOption, seedsOption, dataDirOption, dbOption,
    sipPortOption, sipHostOption, sipAdvertiseOption, rtpPortsOption, ctlPortOption, ctlHostOption,
};

RoutingNodeOptions? options = null;
string? optionError = null;
root.SetAction(parse =>
{
    try
    {
        options = new RoutingNodeOptions
        {
            ConfigPath = parse.GetValue(configOption)!,
            HoconFiles = parse.GetValue(hoconOption) ?? [],
            Roles = Split(parse.GetValue(rolesOption)),
            HttpPort = parse.GetValue(httpPortOption) ?? EnvInt("ROUTING_HTTP_PORT") ?? 8080,
            Port = parse.GetValue(portOption) ?? EnvInt("ROUTING_PORT"),
            Hostname = parse.GetValue(hostnameOption) ?? Env("ROUTING_HOSTNAME"),
            BindHostname = parse.GetValue(bindHostnameOption) ?? Env("ROUTING_BIND_HOSTNAME"),
            DbConnection = parse.GetValue(dbOption) ?? Env("ROUTING_DB_CONNECTION"),
            Seeds = Split(parse.GetValue(seedsOption) ?? Env("ROUTING_SEEDS")),
            DataDir = parse.GetValue(dataDirOption)!,
            AdminKey = Env("ROUTING_ADMIN_KEY"),
            SipPort = parse.GetValue(sipPortOption) ?? EnvInt("ROUTING_SIP_PORT") ?? 5060,
            SipHost = parse.GetValue(sipHostOption) ?? "0.0.0.0",
            SipAdvertise = parse.GetValue(sipAdvertiseOption) ?? Env("ROUTING_SIP_ADVERTISE"),
            RtpPorts = parse.GetValue(rtpPortsOption) ?? "20000-29999",
            CtlPort = parse.GetValue(ctlPortOption) ?? EnvInt("ROUTING_CTL_PORT") ?? 9110,
            CtlHost = parse.GetValue(ctlHostOption) ?? "0.0.0.0",
            CtlKey = Env("ROUTING_CTL_KEY"),
        };
    }
    catch (FormatException e)
    {
        optionError = e.Message;
    }
    return 0;
});

var parsed = root.Parse(args);
var rc = parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
if (optionError is not null)
{
    Console.Error.WriteLine($"routing: {optionError}");
    return ExitConfig;
}
if (options is null) return parsed.Errors.Count > 0 ? ExitConfig : rc; // --help, --version, or a usage error

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext ctx)
{
    ctx.Cancel = true; // we leave the cluster ourselves, then exit
    stop.Cancel();
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

RoutingNodeHost host;
try
{
    host = await RoutingNodeHost.StartAsync(options, stop.Token);
}
catch (NodeConfigException e)
{
    Console.Error.WriteLine("routing: cannot start, the configuration has errors:");
    foreach (var line in e.Lines) Console.Error.WriteLine($"  {line}");
    return ExitConfig;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("routing: stopped during start-up");
    return ExitOk;
}
catch (Exception e)
{
    Console.Error.WriteLine($"routing: cannot start: {e.Message}");
    return ExitFailure;
}

foreach (var w in host.ConfigWarnings) Console.Error.WriteLine($"routing: {w}");
Console.WriteLine(host.Banner);

var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using (stop.Token.Register(() => signalled.TrySetResult()))
{
    var first = await Task.WhenAny(signalled.Task, host.Terminated);
    if (first == host.Terminated && !host.StopRequested &&
        CoordinatedShutdown.Get(host.System).ShutdownReason is CoordinatedShutdown.ClusterLeavingReason)
    {
        // Asked to leave (`routingctl cluster leave`, e.g. from a preStop hook): it handed its shards off and left.
        Console.WriteLine("routing: this node left the cluster on request; stopped");
        await host.StopAsync(CoordinatedShutdown.ClusterLeavingReason.Instance);
        return ExitOk;
    }
    if (first == host.Terminated && !host.StopRequested)
    {
        Console.Error.WriteLine("routing: the ActorSystem terminated on its own (this node was downed or removed from the cluster); exiting");
        await host.StopAsync(CoordinatedShutdown.ClusterDowningReason.Instance);
        return ExitDowned;
    }
}

Console.WriteLine("routing: leaving the cluster");
await host.StopAsync(CoordinatedShutdown.ClrExitReason.Instance);
Console.WriteLine("routing: stopped");
return ExitOk;

static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

static int? EnvInt(string name) => Env(name) is { } v
    ? int.TryParse(v, out var n) && n is >= 0 and <= 65535 ? n : throw new FormatException($"{name}='{v}' is not a port number")
    : null;

static IReadOnlyList<string> Split(string? list) =>
    list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
