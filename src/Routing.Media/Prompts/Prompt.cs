namespace Routing.Media.Prompts;

/// <summary>One recorded phrase: its language, key ("menu", "numbers/7") and 8 kHz 16-bit samples.</summary>
public sealed class Prompt(string language, string key, short[] samples)
{
    public string Language { get; } = language;
    public string Key { get; } = key;
    public ReadOnlyMemory<short> Samples { get; } = samples;
    public TimeSpan Duration => TimeSpan.FromSeconds(Samples.Length / 8000.0);

    public override string ToString() => $"{Language}/{Key} ({Duration.TotalMilliseconds:0} ms)";
}

/// <summary>The prompt keys the gateway plays; files are <c>&lt;language&gt;/&lt;key&gt;.wav</c>.</summary>
public static class PromptKeys
{
    public const string Welcome = "welcome";
    public const string Menu = "menu";
    public const string Invalid = "invalid";
    public const string Closed = "closed";
    public const string Busy = "busy";
    public const string Connecting = "connecting";
    public const string PositionPrefix = "position-prefix";
    public const string PositionSuffix = "position-suffix";
    public const string WaitPrefix = "wait-prefix";
    public const string Minute = "minute";
    public const string Minutes = "minutes";

    /// <summary>Russian plural for 2-4 (минуты).</summary>
    public const string MinutesFew = "minutes-few";

    /// <summary>Shared by all languages, under <c>common/</c>.</summary>
    public const string MusicOnHold = "music-on-hold";

    public static string Number(int n) => $"numbers/{n}";

    /// <summary>Feminine form of 1 and 2 where the language has one (Russian одна, две).</summary>
    public static string FeminineNumber(int n) => $"numbers/{n}f";
}
