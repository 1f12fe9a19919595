using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Routing.Media.Prompts;

namespace Routing.Gateway.Media;

/// <summary>
/// Chooses what a caller hears for each step of a call, in the tenant's language. A tenant's own recordings win
/// (<c>&lt;prompts&gt;/tenants/&lt;tenant&gt;/&lt;key&gt;.wav</c>: <c>menu</c>, <c>menu-&lt;path&gt;</c>, <c>info-&lt;path&gt;</c>,
/// <c>closed</c>); then the text the tenant configured, spoken by espeak-ng when it is installed (rendered once per
/// text into the cache directory, off the call's path); then the shipped generic prompts.
/// </summary>
internal sealed class PromptPlanner
{
    private readonly PromptLibrary _library;
    private readonly string? _tenantRoot;
    private readonly string? _cacheDir;
    private readonly ConcurrentDictionary<string, Lazy<Task<Prompt?>>> _spoken = new();
    private readonly bool _canSpeak;

    public PromptPlanner(string promptsRoot, string? cacheDir)
    {
        _library = PromptLibrary.Load(promptsRoot);
        var tenants = Path.Combine(promptsRoot, "tenants");
        _tenantRoot = Directory.Exists(tenants) ? tenants : null;
        _cacheDir = cacheDir;
        _canSpeak = cacheDir is not null && OnPath("espeak-ng") && OnPath("sox");
    }

    public PromptLibrary Library => _library;

    public IReadOnlyList<Prompt> Welcome(string language) => [_library.Get(language, PromptKeys.Welcome)];

    /// <summary>The menu at <paramref name="path"/> ("" is the root), with the configured prompt text.</summary>
    public async ValueTask<IReadOnlyList<Prompt>> Menu(string tenant, string language, string path, string? text)
    {
        var key = path.Length == 0 ? "menu" : $"menu-{path}";
        if (TenantPrompt(tenant, key) is { } own) return [own];
        if (text is not null && await Speak(language, text) is { } spoken) return [spoken];
        return [_library.Get(language, PromptKeys.Menu)];
    }

    public async ValueTask<IReadOnlyList<Prompt>> Info(string tenant, string language, string path, string text)
    {
        if (TenantPrompt(tenant, $"info-{path}") is { } own) return [own];
        if (await Speak(language, text) is { } spoken) return [spoken];
        return [];
    }

    public async ValueTask<IReadOnlyList<Prompt>> Closed(string tenant, string language, string? text)
    {
        if (TenantPrompt(tenant, "closed") is { } own) return [own];
        if (text is not null && await Speak(language, text) is { } spoken) return [spoken];
        return [_library.Get(language, PromptKeys.Closed)];
    }

    public IReadOnlyList<Prompt> Invalid(string language) => [_library.Get(language, PromptKeys.Invalid)];

    /// <summary>"All our operators are busy", then the position and expected wait when known.</summary>
    public IReadOnlyList<Prompt> Announcement(string language, int? position, double? expectedWaitSeconds, bool first)
    {
        var list = new List<Prompt>();
        if (first) list.Add(_library.Get(language, PromptKeys.Busy));
        if (position is { } p and > 0 && _library.Position(language, p) is { } pos) list.AddRange(pos);
        if (expectedWaitSeconds is { } w && w > 0)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(w / 60));
            if (_library.WaitTime(language, minutes) is { } wait) list.AddRange(wait);
        }
        return list;
    }

    public IReadOnlyList<Prompt> Music(int repeats = 3)
    {
        var music = _library.Get("en", PromptKeys.MusicOnHold);
        return [.. Enumerable.Repeat(music, repeats)];
    }

    public IReadOnlyList<Prompt> Connecting(string language) => [_library.Get(language, PromptKeys.Connecting)];

    private Prompt? TenantPrompt(string tenant, string key)
    {
        if (_tenantRoot is null) return null;
        var file = Path.Combine(_tenantRoot, tenant, key + ".wav");
        if (!File.Exists(file)) return null;
        try
        {
            return new Prompt(tenant, key, WavFile.Load(file).Samples);
        }
        catch (Exception e) when (e is WavFormatException or IOException)
        {
            return null; // a broken recording is reported by the library check; the caller hears the generic prompt
        }
    }

    /// <summary>The text spoken in the language, or null when speech is not available or takes too long.</summary>
    private async ValueTask<Prompt?> Speak(string language, string text)
    {
        if (!_canSpeak || string.IsNullOrWhiteSpace(text)) return null;
        var voice = language.Split('-', '_')[0].ToLowerInvariant();
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(voice + "\n" + text)))[..16];
        var task = _spoken.GetOrAdd(id, _ => new Lazy<Task<Prompt?>>(() => Render(voice, text, id))).Value;
        var done = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(3))).ConfigureAwait(false);
        return done == task ? await task.ConfigureAwait(false) : null;
    }

    private async Task<Prompt?> Render(string voice, string text, string id)
    {
        var dir = Path.Combine(_cacheDir!, voice);
        var file = Path.Combine(dir, id + ".wav");
        try
        {
            if (!File.Exists(file))
            {
                Directory.CreateDirectory(dir);
                var raw = Path.Combine(dir, id + ".raw.wav");
                if (!await Run("espeak-ng", ["-v", voice, "-s", "150", "-w", raw, "--", text])) return null;
                var ok = await Run("sox", ["-D", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", file, "gain", "-n", "-3", "pad", "0", "0.3"]);
                File.Delete(raw);
                if (!ok) return null;
            }
            return new Prompt(voice, "spoken-" + id, WavFile.Load(file).Samples);
        }
        catch (Exception e) when (e is IOException or WavFormatException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static async Task<bool> Run(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        if (p is null) return false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            return false;
        }
        return p.ExitCode == 0;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}
