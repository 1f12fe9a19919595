using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Routing.Ctl;

/// <summary>Prints what a command returned: Spectre.Console tables for people, or JSON for scripts.</summary>
public sealed class Renderer
{
    private readonly IAnsiConsole _console;
    private readonly TextWriter _out;
    private readonly bool _json;
    private readonly List<JsonObject> _tables = [];
    private readonly List<string> _lines = [];

    public Renderer(TextWriter output, bool json, bool terminal)
    {
        _out = output;
        _json = json;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal) _console.Profile.Width = 240; // piped output: do not wrap tables at 80 columns
    }

    public Task Frame(JsonObject frame)
    {
        switch (frame["type"]?.GetValue<string>())
        {
            case "table" when _json:
                _tables.Add(frame);
                break;
            case "table":
                RenderTable(frame);
                break;
            case "text" when _json:
                _lines.AddRange(Strings(frame["lines"]));
                break;
            case "text":
                foreach (var l in Strings(frame["lines"])) _out.WriteLine(l);
                break;
            case "event" when _json:
                // A stream prints one JSON object per line as it comes (NDJSON), so `| jq` follows it live.
                _out.WriteLine(frame["data"]?.ToJsonString() ?? "{}");
                _out.Flush();
                break;
            case "event":
                _out.WriteLine(frame["line"]?.GetValue<string>());
                _out.Flush();
                break;
        }
        return Task.CompletedTask;
    }

    /// <summary>At the end of a command (JSON mode): one table prints as an array of row objects; several as an object by title.</summary>
    public void Finish()
    {
        if (!_json) return;
        JsonNode? result;
        if (_tables.Count == 1 && _lines.Count == 0) result = Rows(_tables[0]);
        else if (_tables.Count == 0) result = new JsonObject { ["lines"] = new JsonArray([.. _lines.Select(l => (JsonNode)l)]) };
        else
        {
            var o = new JsonObject();
            foreach (var t in _tables) o[t["title"]?.GetValue<string>() ?? "table"] = Rows(t);
            if (_lines.Count > 0) o["lines"] = new JsonArray([.. _lines.Select(l => (JsonNode)l)]);
            result = o;
        }
        _tables.Clear();
        _lines.Clear();
        _out.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonArray Rows(JsonObject table)
    {
        var columns = Strings(table["columns"]).ToList();
        var rows = new JsonArray();
        foreach (var row in table["rows"]?.AsArray() ?? [])
        {
            var o = new JsonObject();
            var cells = row?.AsArray().Select(c => c?.GetValue<string>()).ToList() ?? [];
            for (var i = 0; i < columns.Count; i++) o[columns[i]] = i < cells.Count ? cells[i] : null;
            rows.Add(o);
        }
        return rows;
    }

    private void RenderTable(JsonObject frame)
    {
        var table = new Table { Border = TableBorder.Rounded };
        table.Title = new TableTitle(Markup.Escape(frame["title"]?.GetValue<string>() ?? ""));
        var columns = Strings(frame["columns"]).ToList();
        foreach (var c in columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
        var rows = frame["rows"]?.AsArray() ?? [];
        foreach (var row in rows)
        {
            var cells = row?.AsArray().Select(c => Markup.Escape(c?.GetValue<string>() ?? "")).ToList() ?? [];
            while (cells.Count < columns.Count) cells.Add("");
            table.AddRow([.. cells]);
        }
        if (rows.Count == 0) table.Caption = new TableTitle("(none)");
        _console.Write(table);
    }

    private static IEnumerable<string> Strings(JsonNode? array) =>
        array is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "") : [];
}
