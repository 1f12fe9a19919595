using Akka.Actor;

namespace Routing.Node.Ops;

/// <summary>`actor hierarchy`: this node's actors under /user and /system, to a depth; long child lists are cut.</summary>
public static class ActorHierarchy
{
    public const int ChildrenShown = 25;

    public static Task Show(ActorSystem system, int depth, ICommandOutput output)
    {
        var ext = (ExtendedActorSystem)system;
        var lines = new List<string>();
        var total = 0;
        void Walk(IActorRef actor, string indent, int level)
        {
            total++;
            if (actor is not ActorRefWithCell cell || level >= depth) return;
            var children = cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList();
            foreach (var child in children.Take(ChildrenShown))
            {
                var count = child is ActorRefWithCell c ? c.Children.Count() : 0;
                lines.Add($"{indent}{child.Path.Name}{(count > 0 ? $" ({count} children)" : "")}");
                Walk(child, indent + "  ", level + 1);
            }
            if (children.Count > ChildrenShown) lines.Add($"{indent}… and {children.Count - ChildrenShown} more");
        }
        foreach (var root in new IActorRef[] { ext.Guardian, ext.SystemGuardian })
        {
            lines.Add(root.Path.ToStringWithoutAddress());
            Walk(root, "  ", 0);
        }
        lines.Add($"({total} actors shown, depth {depth}, node {Akka.Cluster.Cluster.Get(system).SelfAddress})");
        return output.Text([.. lines]);
    }
}
