using System.Collections;
using System.Reflection;
using Routing.Domain.Config;

namespace Routing.Domain.Tests.Config;

/// <summary>Helpers for the configuration tests: the repository's files, line lookup, errors, and deep model equality.</summary>
internal static class ConfigTestKit
{
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Routing.sln"))) return dir.FullName;
            throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string DemoPath => Path.Combine(RepoRoot, "config", "demo.yaml");

    /// <summary>1-based line of the only line containing <paramref name="snippet"/>.</summary>
    public static int LineOf(string text, string snippet)
    {
        var lines = text.Split('\n');
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(snippet, StringComparison.Ordinal)).ToList();
        Assert.True(hits.Count == 1, $"'{snippet}' is on {hits.Count} lines of the test text");
        return hits[0] + 1;
    }

    /// <summary>Parses and expects failure; returns the exception.</summary>
    public static ConfigException Fails(string yaml, string source = "t.yaml") =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, source));

    /// <summary>Asserts that one error is at the line of <paramref name="snippet"/> and mentions <paramref name="words"/>; both in Errors and in Message.</summary>
    public static ConfigError ErrorAt(ConfigException ex, string yaml, string snippet, string words, string source = "t.yaml")
    {
        var line = LineOf(yaml, snippet);
        var error = ex.Errors.FirstOrDefault(e => e.Line == line && e.Message.Contains(words, StringComparison.Ordinal));
        Assert.True(error is not null, $"no error at line {line} mentioning '{words}'; got:\n{ex.Message}");
        Assert.Contains($"{source}:{line}:{error.Column}: ", ex.Message);
        Assert.Contains(error.ToString(), ex.Message.Split('\n'));
        return error;
    }

    /// <summary>
    /// Structural equality of model objects: records compared property by property, arrays and lists element
    /// by element, dictionaries key by key (ImmutableArray equality is by reference, so records holding them
    /// are never Equal unless they share arrays). Fails with the path of the first difference.
    /// </summary>
    public static void AssertSameModel(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        var type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected a {type.Name}, got a {actual.GetType().Name}");

        if (expected is string || type.IsPrimitive || type.IsEnum)
        {
            Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        if (expected is IDictionary ed)
        {
            var ad = (IDictionary)actual;
            var ek = ed.Keys.Cast<object>().Select(k => k.ToString()).Order().ToList();
            var ak = ad.Keys.Cast<object>().Select(k => k.ToString()).Order().ToList();
            Assert.True(ek.SequenceEqual(ak), $"{path}: keys [{string.Join(",", ek)}] vs [{string.Join(",", ak)}]");
            foreach (var k in ed.Keys) AssertSameModel(ed[k], ad[k], $"{path}[{k}]");
            return;
        }
        if (expected is IEnumerable ee)
        {
            var el = ee.Cast<object?>().ToList();
            var al = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(el.Count == al.Count, $"{path}: {el.Count} items expected, got {al.Count}");
            for (var i = 0; i < el.Count; i++) AssertSameModel(el[i], al[i], $"{path}[{i}]");
            return;
        }
        if (type.IsValueType)
        {
            Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        // Records: their positional (init) properties; computed ones such as BusinessHours.Zone are skipped.
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0).ToList();
        if (props.Count == 0)
        {
            Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        foreach (var p in props) AssertSameModel(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
    }
}
