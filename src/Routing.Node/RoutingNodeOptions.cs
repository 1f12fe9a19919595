using Microsoft.Extensions.Logging;

namespace Routing.Node;

/// <summary>How to start one Routing node: what the command line and the environment give, or what a test chooses.</summary>
public sealed record RoutingNodeOptions
{
    public static readonly IReadOnlyList<string> AllRoles = ["gateway", "routing", "api"];

    /// <summary>The provider configuration file (YAML). Ignored when <see cref="ConfigText"/> is set.</summary>
    public string ConfigPath { get; init; } = "config/demo.yaml";

    /// <summary>The provider configuration as text (tests); <see cref="ConfigPath"/> is not read then.</summary>
    public string? ConfigText { get; init; }

    /// <summary>Extra HOCON files, in order: a later file wins over an earlier one.</summary>
    public IReadOnlyList<string> HoconFiles { get; init; } = [];

    /// <summary>HOCON text that wins over every file but not over the options below (tests: log levels, timings).</summary>
    public string? HoconText { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = AllRoles;

    /// <summary>Akka remoting port; null leaves it to the HOCON files (4053 in hocon/routing.conf); 0 picks a free port.</summary>
    public int? Port { get; init; }

    /// <summary>The host name (or address) other nodes reach this one at; null leaves it to the HOCON files.</summary>
    public string? Hostname { get; init; }

    /// <summary>The address Akka binds to when it differs from <see cref="Hostname"/> (e.g. 0.0.0.0 in a pod whose DNS name is the public one).</summary>
    public string? BindHostname { get; init; }

    /// <summary>PostgreSQL connection string for a journal on PostgreSQL (hocon/postgres.conf); null leaves it to the HOCON files.</summary>
    public string? DbConnection { get; init; }

    /// <summary>Seed nodes ("host:port" or full akka.tcp addresses). Empty: this node forms a cluster by joining itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Where the SQLite file goes (when the journal is SQLite).</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>HTTP port of the api role; 0 picks a free port.</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>The address Kestrel listens on.</summary>
    public string HttpHost { get; init; } = "0.0.0.0";

    /// <summary>Overrides the configuration file's provider admin key (ROUTING_ADMIN_KEY).</summary>
    public string? AdminKey { get; init; }

    /// <summary>How long start-up may wait for the cluster to form; null waits until cancelled.</summary>
    public TimeSpan? StartTimeout { get; init; }

    /// <summary>Minimum level of the HTTP host's logging (Akka's is set in HOCON).</summary>
    public LogLevel HttpLogLevel { get; init; } = LogLevel.Information;

    /// <summary>SIP port (UDP and TCP) of the gateway role; 0 picks a free port (tests).</summary>
    public int SipPort { get; init; } = 5060;

    /// <summary>Address the gateway's SIP and RTP sockets bind to.</summary>
    public string SipHost { get; init; } = "0.0.0.0";

    /// <summary>Address written in Via, Contact and SDP; null: the bind address (127.0.0.1 when bound to every address).</summary>
    public string? SipAdvertise { get; init; }

    /// <summary>RTP port range of the gateway role, "first-last".</summary>
    public string RtpPorts { get; init; } = "20000-29999";

    /// <summary>Prompt directory of the gateway role (relative to the current directory, else next to the executable).</summary>
    public string PromptsDir { get; init; } = "prompts";

    /// <summary>Calls one gateway carries at once before answering 503.</summary>
    public int MaxCalls { get; init; } = 2000;

    /// <summary>Port of the command host that `routingctl` talks to (the program's default is 9110, as pbm's); 0 picks a free
    /// port; null (the default for a node started in code) runs no command host.</summary>
    public int? CtlPort { get; init; }

    /// <summary>The address the command host listens on.</summary>
    public string CtlHost { get; init; } = "0.0.0.0";

    /// <summary>The command host's shared key (ROUTING_CTL_KEY); null: the provider admin key of the configuration.</summary>
    public string? CtlKey { get; init; }

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);
}
