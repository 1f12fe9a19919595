using Routing.Domain.Config;

namespace Routing.Domain.Routing;

/// <summary>
/// Where a caller is in a voice menu: the keys pressed from the root to the current node, and how many times
/// the current node has been replayed for no or invalid input. Immutable and made of plain values, so a call
/// entity can persist it as is.
/// </summary>
/// <param name="Path">One character per level: the DTMF key that entered the sub-menu, or
/// <see cref="TimeoutStep"/> when a node's OnTimeout action led into it. Empty at the root.</param>
/// <param name="Retries">Replays of the current node so far (0 when just entered).</param>
public sealed record MenuPosition(string Path, int Retries)
{
    /// <summary>The path element of a sub-menu reached through a node's OnTimeout action (not a DTMF key).</summary>
    public const char TimeoutStep = '~';

    public static readonly MenuPosition Root = new("", 0);

    public bool IsRoot => Path.Length == 0;

    public MenuPosition Enter(char key) => new(Path + key, 0);

    /// <summary>The parent menu (the root stays the root).</summary>
    public MenuPosition Parent => IsRoot ? Root : new(Path[..^1], 0);

    public MenuPosition Retried => this with { Retries = Retries + 1 };

    public MenuPosition Fresh => this with { Retries = 0 };

    public override string ToString() => $"'{Path}' (retries {Retries})";
}

/// <summary>Why the caller hears a menu prompt (again).</summary>
public enum MenuPromptReason
{
    /// <summary>First prompt of the call, or the menu changed under the caller and navigation restarted at the root.</summary>
    Start,
    /// <summary>A sub-menu was entered.</summary>
    Entered,
    /// <summary>The caller went back to the parent menu.</summary>
    Back,
    /// <summary>The key pressed is not an option here: replay (after an "invalid choice" prompt).</summary>
    InvalidDigit,
    /// <summary>No key pressed before the node's timeout: replay.</summary>
    NoInput,
}

/// <summary>What the caller's input leads to.</summary>
public abstract record MenuOutcome
{
    /// <summary>Play <see cref="Node"/>'s prompt and wait for a key (its TimeoutSeconds) at <see cref="Position"/>.</summary>
    public sealed record Prompt(MenuPosition Position, MenuNode Node, MenuPromptReason Reason) : MenuOutcome;

    /// <summary>Play an information text, then (unless <see cref="ThenDisconnect"/>) the menu at <see cref="Position"/> again.</summary>
    public sealed record Info(string Text, MenuPosition Position, MenuNode Node, bool ThenDisconnect) : MenuOutcome;

    /// <summary>Leave the menu for a queue of the tenant (by queue name).</summary>
    public sealed record Queue(string Name) : MenuOutcome;

    /// <summary>Leave the menu for an external SIP address.</summary>
    public sealed record External(string SipUri) : MenuOutcome;

    /// <summary>Retries exhausted with nowhere to go: say goodbye and hang up.</summary>
    public sealed record Disconnect(string Reason) : MenuOutcome;
}

/// <summary>
/// Pure navigation of a <see cref="MenuNode"/> tree: from a <see cref="MenuPosition"/> and a key (or a timeout)
/// to a <see cref="MenuOutcome"/>. Invalid keys and timeouts replay the node and count a retry; when a node
/// has been replayed MaxRetries times, the next invalid key or timeout takes its OnTimeout action, or
/// disconnects when it has none.
/// </summary>
public static class MenuNavigator
{
    /// <summary>Where a call enters the menu.</summary>
    public static MenuOutcome Start(MenuNode root) => new MenuOutcome.Prompt(MenuPosition.Root, root, MenuPromptReason.Start);

    /// <summary>The node at a position, or null when the menu no longer has that path (the config changed).</summary>
    public static MenuNode? NodeAt(MenuNode root, MenuPosition position) => NodeAt(root, position.Path);

    /// <inheritdoc cref="NodeAt(MenuNode, MenuPosition)"/>
    public static MenuNode? NodeAt(MenuNode root, string path)
    {
        var node = root;
        foreach (var key in path)
        {
            var action = key == MenuPosition.TimeoutStep
                ? node.OnTimeout
                : node.Options.TryGetValue(key, out var a) ? a : null;
            if (action is not MenuAction.SubMenu sub) return null;
            node = sub.Menu;
        }
        return node;
    }

    /// <summary>The caller pressed <paramref name="key"/> at <paramref name="position"/>.</summary>
    public static MenuOutcome Press(MenuNode root, MenuPosition position, char key) => Navigate(root, position, key);

    /// <summary>The node's timeout passed without a key.</summary>
    public static MenuOutcome Timeout(MenuNode root, MenuPosition position) => Navigate(root, position, null);

    /// <summary>One step of navigation; <paramref name="key"/> null means the timeout passed.</summary>
    public static MenuOutcome Navigate(MenuNode root, MenuPosition position, char? key)
    {
        var node = NodeAt(root, position);
        if (node is null) return Start(root); // the menu changed under the caller: start again from the top

        if (key is { } k && node.Options.TryGetValue(k, out var action))
            return Follow(root, position.Fresh, node, k, action, exhausted: false);

        var reason = key is null ? MenuPromptReason.NoInput : MenuPromptReason.InvalidDigit;
        if (position.Retries < node.MaxRetries)
            return new MenuOutcome.Prompt(position.Retried, node, reason);

        return node.OnTimeout is { } onTimeout
            ? Follow(root, position.Fresh, node, MenuPosition.TimeoutStep, onTimeout, exhausted: true)
            : new MenuOutcome.Disconnect(key is null ? "no input, retries exhausted" : "invalid input, retries exhausted");
    }

    private static MenuOutcome Follow(MenuNode root, MenuPosition at, MenuNode node, char key, MenuAction action, bool exhausted) => action switch
    {
        MenuAction.ToQueue q => new MenuOutcome.Queue(q.Queue),
        MenuAction.ToExternal x => new MenuOutcome.External(x.SipUri),
        MenuAction.SubMenu sub => new MenuOutcome.Prompt(at.Enter(key), sub.Menu, MenuPromptReason.Entered),
        // After an info chosen by key the caller is back in the menu; after retries ran out there is no point.
        MenuAction.Info info => new MenuOutcome.Info(info.Text, at, node, ThenDisconnect: exhausted),
        MenuAction.Back when at.IsRoot && exhausted => new MenuOutcome.Disconnect("no input, retries exhausted"),
        MenuAction.Back => new MenuOutcome.Prompt(at.Parent, NodeAt(root, at.Parent) ?? root, MenuPromptReason.Back),
        _ => new MenuOutcome.Disconnect($"unknown menu action {action.GetType().Name}"),
    };
}
