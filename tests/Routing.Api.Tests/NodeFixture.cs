using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Routing.Node;
using Xunit;

namespace Routing.Api.Tests;

/// <summary>
/// One real Routing node for the API tests: a real ActorSystem in a one-node cluster, SQLite in a temp dir,
/// Kestrel on a free loopback port, the demo configuration. Started once for the collection.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string AdminKey = "demo-admin-key";
    public const string DemoKey = "demo-tenant-key";
    public const string AcmeKey = "acme-tenant-key";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "routing-api-tests-" + Guid.NewGuid().ToString("N"));
    private RoutingNodeHost? _host;

    public RoutingNodeHost Host => _host ?? throw new InvalidOperationException("the node did not start");

    /// <summary>Quiet logs; free ports; everything else as `dotnet run` starts it.</summary>
    public static RoutingNodeOptions Options(string dataDir) => new()
    {
        ConfigPath = "config/demo.yaml",
        DataDir = dataDir,
        Port = 0,
        Hostname = "127.0.0.1",
        HttpPort = 0,
        HttpHost = "127.0.0.1",
        SipPort = 0,
        SipHost = "127.0.0.1",
        StartTimeout = TimeSpan.FromSeconds(60),
        HoconText = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off",
        HttpLogLevel = LogLevel.Warning,
    };

    public async Task InitializeAsync() => _host = await RoutingNodeHost.StartAsync(Options(_dataDir));

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite file still held open by a finalizer: the temp dir is cleaned by the OS.
        }
    }

    /// <summary>A client for the node's API; with a key unless null.</summary>
    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "one routing node";
}
