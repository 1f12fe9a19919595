using System.Net;
using Akka.Actor;
using Routing.Node;
using Xunit;

namespace Routing.Api.Tests;

/// <summary>A node's own life: a requested stop leaves the cluster; a downed node terminates by itself and says so.</summary>
public sealed class NodeLifecycleTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("routing-lifecycle-").FullName;
    private RoutingNodeHost _host = null!;

    public async Task InitializeAsync() => _host = await RoutingNodeHost.StartAsync(NodeFixture.Options(_dir));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp dir.
        }
    }

    [Fact]
    public async Task Stopping_leaves_the_cluster_and_closes_http()
    {
        using var client = new HttpClient { BaseAddress = _host.HttpAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", NodeFixture.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenants")).StatusCode);

        await _host.StopAsync();

        Assert.True(_host.Terminated.IsCompleted);
        Assert.True(_host.StopRequested);
        Assert.IsType<CoordinatedShutdown.ClusterLeavingReason>(CoordinatedShutdown.Get(_host.System).ShutdownReason);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/api/tenants"));
    }

    [Fact]
    public async Task A_downed_node_terminates_by_itself_without_a_stop_request()
    {
        var cluster = Akka.Cluster.Cluster.Get(_host.System);
        cluster.Down(cluster.SelfAddress);

        var finished = await Task.WhenAny(_host.Terminated, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(_host.Terminated, finished);
        Assert.False(_host.StopRequested); // Program exits 3 in this case
        Assert.IsType<CoordinatedShutdown.ClusterDowningReason>(CoordinatedShutdown.Get(_host.System).ShutdownReason);
    }
}
