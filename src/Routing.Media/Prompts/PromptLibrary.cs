namespace Routing.Media.Prompts;

/// <summary>
/// All prompts, loaded once from a directory laid out as <c>&lt;root&gt;/&lt;language&gt;/&lt;key&gt;.wav</c> (keys may
/// contain folders: <c>numbers/7</c>) plus <c>&lt;root&gt;/common/</c> for language-independent audio such as music on
/// hold. A prompt missing in the caller's language falls back to common, then to the default language. Also
/// composes announcements with numbers ("you are number" + "23" + "in the queue") following each language's grammar.
/// </summary>
public sealed class PromptLibrary
{
    public const string CommonFolder = "common";

    private readonly Dictionary<(string Language, string Key), Prompt> _prompts;

    private PromptLibrary(Dictionary<(string, string), Prompt> prompts, string defaultLanguage)
    {
        _prompts = prompts;
        DefaultLanguage = defaultLanguage;
        Languages = prompts.Keys.Select(k => k.Item1).Where(l => l != CommonFolder).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public string DefaultLanguage { get; }
    public IReadOnlyList<string> Languages { get; }
    public int Count => _prompts.Count;

    /// <summary>Loads every WAV under <paramref name="root"/>; a file in the wrong format fails the load with its path.</summary>
    public static PromptLibrary Load(string root, string defaultLanguage = "en")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Prompt directory '{root}' does not exist.");
        var prompts = new Dictionary<(string, string), Prompt>();
        foreach (var languageDir in Directory.EnumerateDirectories(root))
        {
            var language = Path.GetFileName(languageDir).ToLowerInvariant();
            foreach (var file in Directory.EnumerateFiles(languageDir, "*.wav", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(languageDir, file);
                var key = Path.ChangeExtension(relative, null).Replace(Path.DirectorySeparatorChar, '/').ToLowerInvariant();
                prompts[(language, key)] = new Prompt(language, key, WavFile.Load(file).Samples);
            }
        }
        defaultLanguage = defaultLanguage.ToLowerInvariant();
        if (!prompts.Keys.Any(k => k.Item1 == defaultLanguage))
            throw new InvalidOperationException($"Prompt directory '{root}' has no prompts for the default language '{defaultLanguage}'.");
        return new PromptLibrary(prompts, defaultLanguage);
    }

    public bool TryGet(string language, string key, out Prompt prompt)
    {
        key = key.ToLowerInvariant();
        foreach (var candidate in Candidates(language))
        {
            if (_prompts.TryGetValue((candidate, key), out prompt!)) return true;
        }
        prompt = null!;
        return false;
    }

    public Prompt Get(string language, string key) =>
        TryGet(language, key, out var prompt)
            ? prompt
            : throw new KeyNotFoundException($"No prompt '{key}' for language '{language}' (nor in '{CommonFolder}' or '{DefaultLanguage}').");

    /// <summary>"You are number N in the queue"; null when N cannot be said with the recorded numbers (0-99).</summary>
    public IReadOnlyList<Prompt>? Position(string language, int position)
    {
        var number = Number(language, position);
        if (number is null) return null;
        var lang = Resolve(language);
        var parts = new List<Prompt> { Get(lang, PromptKeys.PositionPrefix) };
        parts.AddRange(number);
        if (TryGet(lang, PromptKeys.PositionSuffix, out var suffix) && suffix.Language == lang) parts.Add(suffix);
        return parts;
    }

    /// <summary>"The expected waiting time is about M minutes", with the noun agreeing with M; null outside 1-99.</summary>
    public IReadOnlyList<Prompt>? WaitTime(string language, int minutes)
    {
        if (minutes < 1) return null;
        var lang = Resolve(language);
        var russian = lang == "ru";
        var number = Number(lang, minutes, feminine: russian); // минута is feminine: одна минута, две минуты
        if (number is null) return null;
        var noun = russian ? RussianMinutes(minutes) : minutes == 1 ? PromptKeys.Minute : PromptKeys.Minutes;
        return [Get(lang, PromptKeys.WaitPrefix), .. number, Get(lang, noun)];
    }

    /// <summary>A number 0-99 from the recorded 0-20 and tens; null when out of range.</summary>
    public IReadOnlyList<Prompt>? Number(string language, int n, bool feminine = false)
    {
        if (n is < 0 or > 99) return null;
        var lang = Resolve(language);
        if (n <= 20) return [Unit(lang, n, feminine)];
        var tens = n / 10 * 10;
        var units = n % 10;
        return units == 0 ? [Get(lang, PromptKeys.Number(tens))] : [Get(lang, PromptKeys.Number(tens)), Unit(lang, units, feminine)];
    }

    private Prompt Unit(string lang, int n, bool feminine) =>
        feminine && n is 1 or 2 && TryGet(lang, PromptKeys.FeminineNumber(n), out var f) ? f : Get(lang, PromptKeys.Number(n));

    private static string RussianMinutes(int n) => (n % 10, n % 100) switch
    {
        (1, not 11) => PromptKeys.Minute,
        (>= 2 and <= 4, < 12 or > 14) => PromptKeys.MinutesFew,
        _ => PromptKeys.Minutes,
    };

    /// <summary>The language actually available for a requested one ("ru-RU" -> "ru"), else the default.</summary>
    private string Resolve(string language) =>
        Candidates(language).FirstOrDefault(c => c != CommonFolder && Languages.Contains(c)) ?? DefaultLanguage;

    private IEnumerable<string> Candidates(string language)
    {
        var lower = language.ToLowerInvariant();
        yield return lower;
        var dash = lower.IndexOfAny(['-', '_']);
        if (dash > 0) yield return lower[..dash];
        yield return CommonFolder;
        yield return DefaultLanguage;
    }
}
