using Akka.Actor;
using Routing.Cluster.Facade;
using Routing.Ctl.Protocol;

namespace Routing.Node.Ops;

/// <summary>Parses a command line against the catalogue (again: the client is not trusted) and runs it.</summary>
public sealed class CommandDispatcher(ActorSystem system, IRoutingService routing)
{
    private readonly ClusterCommands _cluster = new(system);
    private readonly ShardingCommands _sharding = new(system);
    private readonly ContactCentreCommands _centre = new(routing);

    public Task Run(IReadOnlyList<string> words, ICommandOutput output, CancellationToken ct)
    {
        var cmd = CommandCatalogue.Parse(words);
        return cmd.Spec.Name switch
        {
            "cluster show" => _cluster.Show(output),
            "cluster status" => _cluster.Status(output),
            "cluster leader" => _cluster.Leader(output),
            "cluster leave" => _cluster.Leave(cmd.Arg("address"), output, ct),
            "cluster down" => _cluster.Down(cmd.Arg("address")!, output),
            "cluster join" => _cluster.Join(cmd.Arg("address")!, output),
            "cluster down-unreachable" => _cluster.DownUnreachable(output),
            "cluster tail" => _cluster.Tail(output, ct),
            "cluster-sharding regions" => _sharding.Regions(output, ct),
            "cluster-sharding region-stats" => _sharding.RegionStats(cmd.Option("--region")!, output, ct),
            "cluster-sharding shard-stats" => _sharding.ShardStats(cmd.Option("--region")!, output, ct),
            "actor hierarchy" => ActorHierarchy.Show(system, ParseDepth(cmd.Option("--depth")), output),
            "tenant list" => _centre.Tenants(output, ct),
            "queue list" => _centre.Queues(cmd.Option("--tenant"), output, ct),
            "queue show" => _centre.Queue(cmd.Arg("queue")!, output, ct),
            "operator list" => _centre.Operators(cmd.Option("--tenant"), cmd.Option("--state"), output, ct),
            "operator show" => _centre.Operator(cmd.Arg("operator")!, output, ct),
            "call show" => _centre.Call(cmd.Arg("call")!, output, ct),
            "call list" => _centre.ActiveCalls(output, ct),
            "help" => output.Text([.. CommandCatalogue.Help(cmd.Arg("command"))]),
            _ => throw new CommandFailedException($"'{cmd.Spec.Name}' is in the catalogue but this node does not run it"),
        };
    }

    private static int ParseDepth(string? value) =>
        value is null ? 3
        : int.TryParse(value, out var d) && d is >= 1 and <= 20 ? d
        : throw new CommandLineException($"--depth must be a whole number from 1 to 20, not '{value}'");
}
