using System.Text.Json.Nodes;

namespace Routing.Node.Ops;

/// <summary>Where a command writes what it found: tables, lines, or (streaming commands) events. Frames go to one client.</summary>
public interface ICommandOutput
{
    Task Table(string title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows);
    Task Text(params string[] lines);
    Task Event(string line, JsonObject data);
}

/// <summary>A command failed in a way the user can act on (unknown member, unknown region…): the message is shown as is.</summary>
public sealed class CommandFailedException(string message) : Exception(message);
