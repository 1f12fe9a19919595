using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using YamlDotNet.RepresentationModel;

namespace Routing.Domain.Config;

/// <summary>A place in a configuration source.</summary>
internal readonly record struct ConfigLocation(string Source, int Line, int Column)
{
    public static ConfigLocation Of(string source, YamlNode node) => new(source, (int)node.Start.Line, (int)node.Start.Column);
}

/// <summary>
/// Where the parts of model objects were read from, so that checks run on the model (references,
/// duplicates) can still name a line. Keyed by object identity: the records have value equality, and
/// two equal objects read from two places must keep two places.
/// </summary>
internal sealed class ConfigLocations
{
    private readonly Dictionary<Key, ConfigLocation> _map = [];

    public void Add(object owner, string field, ConfigLocation location) => _map[new Key(owner, field)] = location;

    public ConfigLocation? Find(object owner, string field = "") =>
        _map.TryGetValue(new Key(owner, field), out var l) ? l
        : field.Length > 0 && _map.TryGetValue(new Key(owner, ""), out var o) ? o
        : null;

    /// <summary>Exact lookup, without falling back to the owner's own place.</summary>
    public bool Has(object owner, string field = "") => _map.ContainsKey(new Key(owner, field));

    private readonly struct Key(object owner, string field) : IEquatable<Key>
    {
        private readonly object _owner = owner;
        private readonly string _field = field;
        public bool Equals(Key other) => ReferenceEquals(_owner, other._owner) && _field == other._field;
        public override bool Equals(object? obj) => obj is Key k && Equals(k);
        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_owner), _field);
    }
}

/// <summary>Collects errors and warnings for one source.</summary>
internal sealed class ConfigDiagnostics(string source)
{
    public string Source { get; } = source;
    public List<ConfigError> Errors { get; } = [];
    public List<ConfigError> Warnings { get; } = [];

    public void Error(YamlNode node, string message) => Error(ConfigLocation.Of(Source, node), message);

    public void Error(ConfigLocation? at, string message) => Errors.Add(Make(at, message, ConfigSeverity.Error));

    public void Warning(ConfigLocation? at, string message) => Warnings.Add(Make(at, message, ConfigSeverity.Warning));

    private ConfigError Make(ConfigLocation? at, string message, ConfigSeverity severity) =>
        at is { } l ? new ConfigError(l.Source, l.Line, l.Column, message, severity) : new ConfigError(Source, 0, 0, message, severity);

    public static ImmutableArray<ConfigError> Sorted(IEnumerable<ConfigError> errors) =>
        [.. errors.Distinct().OrderBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Column)];
}
