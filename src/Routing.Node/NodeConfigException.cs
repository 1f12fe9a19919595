namespace Routing.Node;

/// <summary>A node cannot start because of its configuration (HOCON, YAML, options); each line names the file and, when known, the line.</summary>
public sealed class NodeConfigException(IReadOnlyList<string> lines) : Exception(string.Join("\n", lines))
{
    public NodeConfigException(string line) : this([line]) { }

    public IReadOnlyList<string> Lines { get; } = lines;
}
