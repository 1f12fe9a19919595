using System.Collections.Immutable;

namespace Routing.Domain.Config;

/// <summary>Errors stop a configuration from loading; warnings are reported and the configuration is used.</summary>
public enum ConfigSeverity
{
    Error,
    Warning,
}

/// <summary>One finding about a configuration, located in its source: line and column are 1-based, 0 when unknown.</summary>
public sealed record ConfigError(string Source, int Line, int Column, string Message, ConfigSeverity Severity = ConfigSeverity.Error)
{
    /// <summary>"file:line:col: message" (the form compilers use, so editors can jump to it); "file: message" without a line.</summary>
    public override string ToString()
    {
        var prefix = Severity == ConfigSeverity.Warning ? "warning: " : "";
        return Line > 0 ? $"{Source}:{Line}:{Column}: {prefix}{Message}" : $"{Source}: {prefix}{Message}";
    }
}

/// <summary>A configuration that cannot be used; <see cref="Exception.Message"/> lists every error, one "file:line:col: message" per line.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IEnumerable<ConfigError> errors) : this([.. errors]) { }

    private ConfigException(ImmutableArray<ConfigError> errors)
        : base(errors.IsEmpty ? "invalid configuration" : string.Join("\n", errors))
    {
        Errors = errors;
    }

    public ImmutableArray<ConfigError> Errors { get; }
}

/// <summary>The outcome of checking a configuration: the model when there is no error, and every error and warning found.</summary>
public sealed record ConfigReport(ProviderConfig? Config, ImmutableArray<ConfigError> Errors, ImmutableArray<ConfigError> Warnings)
{
    public bool IsValid => Errors.IsEmpty && Config is not null;

    /// <summary>The configuration, or a <see cref="ConfigException"/> listing the errors.</summary>
    public ProviderConfig GetOrThrow() => IsValid ? Config! : throw new ConfigException(Errors);
}
