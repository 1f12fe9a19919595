using Routing.Ctl.Protocol;

namespace Routing.Ctl;

/// <summary>
/// The interactive prompt's line editing: typing, Backspace/Delete, Left/Right/Home/End, Up/Down through the history,
/// Tab to complete command names and options (a second Tab lists the candidates). Keys come from a function so
/// tests can type without a terminal.
/// </summary>
public sealed class LineEditor(Func<ConsoleKeyInfo> readKey, TextWriter output, List<string> history)
{
    /// <summary>The next line, or null on Ctrl+D at an empty line.</summary>
    public string? ReadLine(string prompt)
    {
        var line = new System.Text.StringBuilder();
        var cursor = 0;
        var historyIndex = history.Count;
        var lastWasTab = false;
        output.Write(prompt);
        output.Flush();

        void Redraw()
        {
            output.Write("\r" + prompt + line + "\u001b[K");
            var back = line.Length - cursor;
            if (back > 0) output.Write($"\u001b[{back}D");
            output.Flush();
        }

        while (true)
        {
            var key = readKey();
            var tab = key.Key == ConsoleKey.Tab;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    output.WriteLine();
                    var text = line.ToString();
                    if (text.Trim().Length > 0 && (history.Count == 0 || history[^1] != text)) history.Add(text);
                    return text;
                case ConsoleKey.Backspace:
                    if (cursor > 0)
                    {
                        line.Remove(--cursor, 1);
                        Redraw();
                    }
                    break;
                case ConsoleKey.Delete:
                    if (cursor < line.Length)
                    {
                        line.Remove(cursor, 1);
                        Redraw();
                    }
                    break;
                case ConsoleKey.LeftArrow:
                    if (cursor > 0) cursor--;
                    Redraw();
                    break;
                case ConsoleKey.RightArrow:
                    if (cursor < line.Length) cursor++;
                    Redraw();
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    Redraw();
                    break;
                case ConsoleKey.End:
                    cursor = line.Length;
                    Redraw();
                    break;
                case ConsoleKey.UpArrow or ConsoleKey.DownArrow:
                    historyIndex = Math.Clamp(historyIndex + (key.Key == ConsoleKey.UpArrow ? -1 : 1), 0, history.Count);
                    line.Clear().Append(historyIndex < history.Count ? history[historyIndex] : "");
                    cursor = line.Length;
                    Redraw();
                    break;
                case ConsoleKey.Tab:
                    var before = line.ToString(0, cursor);
                    var candidates = CommandCatalogue.Complete(before);
                    var partialStart = before.Length > 0 && !char.IsWhiteSpace(before[^1]) ? before.LastIndexOf(' ') + 1 : before.Length;
                    var partial = before[partialStart..];
                    if (candidates.Count == 1)
                    {
                        var insert = candidates[0][partial.Length..] + " ";
                        line.Insert(cursor, insert);
                        cursor += insert.Length;
                        Redraw();
                    }
                    else if (candidates.Count > 1)
                    {
                        var common = CommonPrefix(candidates);
                        if (common.Length > partial.Length)
                        {
                            line.Insert(cursor, common[partial.Length..]);
                            cursor += common.Length - partial.Length;
                            Redraw();
                        }
                        else if (lastWasTab)
                        {
                            output.WriteLine();
                            output.WriteLine(string.Join("  ", candidates));
                            Redraw();
                        }
                    }
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                    if (line.Length == 0)
                    {
                        output.WriteLine();
                        return null;
                    }
                    break;
                default:
                    if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                    {
                        line.Insert(cursor++, key.KeyChar);
                        if (cursor == line.Length) output.Write(key.KeyChar);
                        else Redraw();
                        output.Flush();
                    }
                    break;
            }
            lastWasTab = tab;
        }
    }

    private static string CommonPrefix(IReadOnlyList<string> words)
    {
        var p = words[0];
        foreach (var w in words.Skip(1))
        {
            var n = 0;
            while (n < p.Length && n < w.Length && p[n] == w[n]) n++;
            p = p[..n];
        }
        return p;
    }
}
