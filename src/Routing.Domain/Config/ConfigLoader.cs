using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Routing.Domain.Config;

/// <summary>
/// Reads the provider configuration file (YAML) and the admin API's bodies (JSON, which YAML reads too)
/// into the configuration model. Every mistake is reported with its file, line and column; all of them
/// are collected before a <see cref="ConfigException"/> is thrown. The format is documented in docs/configuration.md.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Reads and checks a whole configuration file; throws <see cref="ConfigException"/> listing every error.</summary>
    public static ProviderConfig LoadFile(string path) => CheckFile(path).GetOrThrow();

    /// <summary>Reads and checks a whole configuration given as text; <paramref name="sourceName"/> names it in messages.</summary>
    public static ProviderConfig Parse(string text, string sourceName) => Check(text, sourceName).GetOrThrow();

    /// <summary>Like <see cref="LoadFile"/>, but returns errors and warnings instead of throwing.</summary>
    public static ConfigReport CheckFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ConfigReport(null, [new ConfigError(path, 0, 0, $"cannot read the configuration file: {e.Message}")], []);
        }
        return Check(text, path);
    }

    /// <summary>Like <see cref="Parse"/>, but returns errors and warnings instead of throwing.</summary>
    public static ConfigReport Check(string text, string sourceName)
    {
        var diag = new ConfigDiagnostics(sourceName);
        var locations = new ConfigLocations();
        ProviderConfig? config = null;
        if (LoadRoot(text, diag, "the configuration") is { } root)
        {
            config = new ConfigReader(diag, locations).ReadProvider(root);
            if (config is not null) ConfigValidator.Check(config, diag, locations, wholeProvider: true);
        }
        return ConfigValidator.Report(config, diag);
    }

    /// <summary>
    /// Reads one tenant (the same shape as an entry of the file's <c>tenants:</c>, in YAML or JSON), with its
    /// queues and menu. Checks references inside the tenant; references to other tenants are checked by the overload
    /// that takes the current configuration.
    /// </summary>
    public static TenantConfig ParseTenant(string text, string sourceName) => ParseTenant(text, sourceName, null);

    /// <summary>
    /// Reads one tenant and checks it against <paramref name="current"/> as it would be after upserting it:
    /// numbers and keys already used by other tenants, overflow to other tenants' queues, and anything the
    /// change would break elsewhere (reported without a line).
    /// </summary>
    public static TenantConfig ParseTenant(string text, string sourceName, ProviderConfig? current) =>
        ParseOne(text, sourceName, "a tenant", (r, n) => r.ReadTenant(n), (tenant, diag, locations) =>
        {
            if (current is null) ConfigValidator.Check(new ProviderConfig([tenant], [], [], null), diag, locations, wholeProvider: false);
            else diag.Errors.AddRange(ConfigValidator.NewErrors(current, current.WithTenant(tenant), locations, diag.Source));
        });

    /// <summary>
    /// Reads one queue of <paramref name="tenant"/> (the shape of an entry of a tenant's <c>queues:</c>). Only the
    /// queue itself is checked; the overload with the current configuration also checks its overflow and closed targets.
    /// </summary>
    public static QueueConfig ParseQueue(TenantId tenant, string text, string sourceName) => ParseQueue(tenant, text, sourceName, null);

    /// <summary>Reads one queue and checks it against <paramref name="current"/> as it would be after upserting it.</summary>
    public static QueueConfig ParseQueue(TenantId tenant, string text, string sourceName, ProviderConfig? current) =>
        ParseOne(text, sourceName, "a queue", (r, n) => r.ReadQueue(tenant, n), (queue, diag, locations) =>
        {
            if (current is null)
            {
                foreach (var rule in queue.Overflow.Where(r => r.Target is OverflowTarget.ToQueue tq && tq.Queue == queue.Id))
                    diag.Error(locations.Find(rule, "target"), $"queue '{queue.Id.Name}' overflows to itself");
            }
            else if (current.FindTenant(tenant) is null)
                diag.Error(new ConfigLocation(sourceName, 1, 1), $"there is no tenant '{tenant}'");
            else diag.Errors.AddRange(ConfigValidator.NewErrors(current, current.WithQueue(queue), locations, diag.Source));
        });

    /// <summary>Reads one operator (the shape of an entry of the file's <c>operators:</c>). Its tenants are checked by the overload with the current configuration.</summary>
    public static OperatorConfig ParseOperator(string text, string sourceName) => ParseOperator(text, sourceName, null);

    /// <summary>Reads one operator and checks it against <paramref name="current"/> as it would be after upserting it (its tenants must exist).</summary>
    public static OperatorConfig ParseOperator(string text, string sourceName, ProviderConfig? current) =>
        ParseOne(text, sourceName, "an operator", (r, n) => r.ReadOperator(n), (op, diag, locations) =>
        {
            if (current is not null)
                diag.Errors.AddRange(ConfigValidator.NewErrors(current, current.WithOperator(op), locations, diag.Source));
        });

    private static T ParseOne<T>(string text, string sourceName, string what,
        Func<ConfigReader, YamlNode, T?> read, Action<T, ConfigDiagnostics, ConfigLocations> check) where T : class
    {
        var diag = new ConfigDiagnostics(sourceName);
        var locations = new ConfigLocations();
        T? value = null;
        if (LoadRoot(text, diag, what) is { } root)
        {
            value = read(new ConfigReader(diag, locations), root);
            if (value is not null && diag.Errors.Count == 0) check(value, diag, locations);
        }
        if (diag.Errors.Count > 0 || value is null)
            throw new ConfigException(diag.Errors.Count > 0 ? ConfigDiagnostics.Sorted(diag.Errors) : [new ConfigError(sourceName, 0, 0, $"expected {what}")]);
        return value;
    }

    /// <summary>The single document's root node, or null with the syntax error reported at its place.</summary>
    private static YamlNode? LoadRoot(string text, ConfigDiagnostics diag, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var (line, col) = ((int)e.Start.Line, (int)e.Start.Column);
            var message = Reword(e);
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text) is { } tabLine)
                (line, col) = (tabLine, 1);
            diag.Error(new ConfigLocation(diag.Source, Math.Max(line, 1), Math.Max(col, 1)), message);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet gives up without a position on some unclosed flow collections; find the place ourselves.
            diag.Error(UnclosedFlow(text, diag.Source), "the YAML cannot be read here: is a '[' or '{' not closed?");
            return null;
        }

        if (stream.Documents.Count == 0 || ConfigReader.IsNull(stream.Documents[0].RootNode))
        {
            diag.Error(new ConfigLocation(diag.Source, 1, 1), $"the text is empty: expected {what}");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            diag.Error(ConfigLocation.Of(diag.Source, stream.Documents[1].RootNode), "only one YAML document is allowed (remove the '---')");
            return null;
        }
        return stream.Documents[0].RootNode;
    }

    private static string Reword(YamlException e)
    {
        var m = e.Message;
        if (m.StartsWith("Duplicate key", StringComparison.Ordinal)) return $"the key{m["Duplicate key".Length..]} is written twice in the same mapping";
        if (m.Contains("found invalid tab", StringComparison.Ordinal)) return "a tab is used for indentation: YAML indents with spaces";
        if (e is AnchorNotFoundException) return $"YAML syntax error: {m}";
        return $"YAML syntax error: {m.TrimEnd('.')} (check the indentation, and quote values that contain ': ', '#', '*' or '&')";
    }

    private static int? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith('\t') || lines[i].TrimStart(' ').StartsWith('\t')) return i + 1;
        return null;
    }

    /// <summary>The innermost flow collection still open when the parser gave up, else the last place it read.</summary>
    private static ConfigLocation UnclosedFlow(string text, string source)
    {
        var open = new Stack<(Mark At, bool Flow)>();
        var last = Mark.Empty;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.Start;
                switch (ev)
                {
                    case SequenceStart s:
                        open.Push((ev.Start, s.Style == SequenceStyle.Flow));
                        break;
                    case MappingStart m:
                        open.Push((ev.Start, m.Style == MappingStyle.Flow));
                        break;
                    case SequenceEnd:
                    case MappingEnd:
                        if (open.Count > 0) open.Pop();
                        break;
                }
            }
        }
        catch (Exception)
        {
            // The failure itself is what we are locating.
        }
        var at = open.Where(o => o.Flow).Select(o => o.At).DefaultIfEmpty(last).First();
        return new ConfigLocation(source, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column));
    }
}
