using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;

namespace Routing.Node.Ops;

/// <summary>pbm's cluster palette, answered from this node's view of the membership.</summary>
public sealed class ClusterCommands(ActorSystem system)
{
    private Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(system);

    public Task Show(ICommandOutput output)
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var rows = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => (IReadOnlyList<string?>)
            [
                m.Address.ToString(), Status(m.Status), string.Join(",", m.Roles.Order(StringComparer.Ordinal)),
                unreachable.Contains(m.Address) ? "unreachable" : "reachable",
                m.Address == state.Leader ? "leader" : "",
                m.Address == Cluster.SelfAddress ? "self" : "",
                m.AppVersion.ToString(),
            ]);
        return output.Table("members", ["address", "status", "roles", "reachability", "leader", "self", "app-version"], rows);
    }

    public Task Status(ICommandOutput output)
    {
        var state = Cluster.State;
        var self = Cluster.SelfMember;
        var byStatus = state.Members.GroupBy(m => Status(m.Status)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={g.Count()}");
        var converged = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving) // the statuses Akka's own convergence waits for
            .All(m => state.SeenBy.Contains(m.Address)) && state.Unreachable.IsEmpty;
        return output.Table("status", ["property", "value"],
        [
            ["node", Cluster.SelfAddress.ToString()],
            ["status", Status(self.Status)],
            ["roles", string.Join(",", self.Roles.Order(StringComparer.Ordinal))],
            ["leader", state.Leader?.ToString() ?? "(none)"],
            ["members", string.Join(" ", byStatus)],
            ["unreachable", state.Unreachable.Count.ToString(CultureInfo.InvariantCulture)],
            ["converged", converged ? "yes" : "no"],
            ["uptime", TimeSpan.FromSeconds(Math.Round(system.Uptime.TotalSeconds)).ToString()],
        ]);
    }

    public Task Leader(ICommandOutput output)
    {
        var state = Cluster.State;
        var roles = state.Members.SelectMany(m => m.Roles).Distinct().Order(StringComparer.Ordinal);
        return output.Table("leaders", ["role", "leader"],
            [["(cluster)", state.Leader?.ToString() ?? "(none)"], .. roles.Select(r => (IReadOnlyList<string?>)[r, state.RoleLeader(r)?.ToString() ?? "(none)"])]);
    }

    public async Task Leave(string? address, ICommandOutput output, CancellationToken ct)
    {
        var target = address is null ? Cluster.SelfAddress : Member(address).Address;
        var self = target == Cluster.SelfAddress;
        Cluster.Leave(target);
        await output.Text($"{target} is leaving: its shards are handed off, then it is removed" + (self ? " and this node stops" : ""));
        // Wait for the hand-off to finish (the member reaches Exiting or is gone) so that a preStop hook that runs
        // `routingctl … cluster leave` returns only once the node no longer owns anything.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            if (system.WhenTerminated.IsCompleted) break;
            var m = Cluster.State.Members.FirstOrDefault(x => x.Address == target);
            if (m is null || m.Status is MemberStatus.Exiting or MemberStatus.Removed or MemberStatus.Down) break;
            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var now = Cluster.State.Members.FirstOrDefault(x => x.Address == target);
        await output.Text($"{target}: {(now is null ? "removed" : Status(now.Status))}");
    }

    public async Task Down(string address, ICommandOutput output)
    {
        var m = Member(address);
        Cluster.Down(m.Address);
        await output.Text($"{m.Address} is marked down; its shards move to the other members");
    }

    public async Task Join(string address, ICommandOutput output)
    {
        var target = ParseAddress(address);
        await Cluster.JoinAsync(target).WaitAsync(TimeSpan.FromSeconds(20));
        await output.Text($"{Cluster.SelfAddress} joined the cluster of {target}");
    }

    public async Task DownUnreachable(ICommandOutput output)
    {
        var unreachable = Cluster.State.Unreachable.ToList();
        foreach (var m in unreachable) Cluster.Down(m.Address);
        string[] lines = unreachable.Count == 0 ? ["no member is unreachable"] : [.. unreachable.Select(m => $"{m.Address} is marked down")];
        await output.Text(lines);
    }

    public async Task Tail(ICommandOutput output, CancellationToken ct)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<ClusterEvent.IClusterDomainEvent>();
        var tail = system.ActorOf(Props.Create(() => new ClusterTailActor(events.Writer)));
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(ct))
            {
                if (Describe(e) is { } d) await output.Event(d.Line, d.Data);
            }
        }
        finally
        {
            tail.Tell(PoisonPill.Instance);
        }
    }

    private static (string Line, JsonObject Data)? Describe(ClusterEvent.IClusterDomainEvent e)
    {
        var at = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        (string kind, string? address, string? status) = e switch
        {
            ClusterEvent.MemberJoined m => ("member-joined", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberWeaklyUp m => ("member-weakly-up", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberUp m => ("member-up", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberLeft m => ("member-left", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberExited m => ("member-exited", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberDowned m => ("member-downed", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.MemberRemoved m => ("member-removed", m.Member.Address.ToString(), $"removed (was {Status(m.PreviousStatus)})"),
            ClusterEvent.UnreachableMember m => ("unreachable", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.ReachableMember m => ("reachable", m.Member.Address.ToString(), Status(m.Member.Status)),
            ClusterEvent.LeaderChanged l => ("leader-changed", l.Leader?.ToString(), null),
            _ => ("", null, null),
        };
        if (kind.Length == 0) return null;
        var data = new JsonObject { ["event"] = kind, ["address"] = address, ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
        if (status is not null) data["status"] = status;
        return ($"{at} {kind} {address ?? "(none)"}{(status is null ? "" : $" [{status}]")}", data);
    }

    private Member Member(string address)
    {
        var target = ParseAddress(address);
        var state = Cluster.State;
        return state.Members.Concat(state.Unreachable).FirstOrDefault(m => m.Address == target)
            ?? throw new CommandFailedException($"{target} is not a member; members: {string.Join(", ", state.Members.Select(m => m.Address))}");
    }

    /// <summary>"akka.tcp://routing@host:port" or "host:port" (this cluster's system name and protocol assumed).</summary>
    public Address ParseAddress(string text)
    {
        if (text.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                return Address.Parse(text);
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                throw new CommandFailedException($"'{text}' is not a cluster address ({e.Message}); give host:port or akka.tcp://routing@host:port");
            }
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new CommandFailedException($"'{text}' is not a cluster address; give host:port or akka.tcp://routing@host:port");
        var self = Cluster.SelfAddress;
        return new Address(self.Protocol, self.System, text[..colon], port);
    }

    public static string Status(MemberStatus s) => s switch
    {
        MemberStatus.WeaklyUp => "weakly-up",
        _ => s.ToString().ToLowerInvariant(),
    };
}
