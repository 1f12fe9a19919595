using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Routing.Integration.Tests.Infrastructure;

/// <summary>What one sipp run does: a scenario, a peer, how many calls at which rate, and what it injects.</summary>
public sealed record SippOptions
{
    /// <summary>A scenario file: a name under Sip/Scenarios in the test output (e.g. "caller_menu_queue.xml") or a path.</summary>
    public required string Scenario { get; init; }

    /// <summary>The peer (the gateway's SIP end point); sipp sends its first request there.</summary>
    public required IPEndPoint Remote { get; init; }

    /// <summary>sipp's own SIP port; 0 picks a free one (readable back as <see cref="SippProcess.LocalPort"/>).</summary>
    public int LocalPort { get; init; }

    /// <summary>sipp's RTP port (-mp; also -mp+2 is used); 0 picks free ones.</summary>
    public int MediaPort { get; init; }

    /// <summary>-oocsf: the scenario run for requests of calls sipp did not start (an operator's incoming INVITEs).</summary>
    public string? OutOfCallScenario { get; init; }

    /// <summary>-s: the user part of the request URI (the number dialled).</summary>
    public string? Service { get; init; }

    /// <summary>-m: calls to make, then exit.</summary>
    public int Calls { get; init; } = 1;

    /// <summary>-r: calls per second; null leaves sipp's default (10/s).</summary>
    public double? Rate { get; init; }

    /// <summary>-l: at most this many calls at once.</summary>
    public int? Limit { get; init; }

    /// <summary>-d: the length of the scenarios' &lt;pause/&gt; (how long a caller stays, an operator stays registered).</summary>
    public TimeSpan? Pause { get; init; }

    /// <summary>-inf rows (SEQUENTIAL), one per call: [field0], [field1]…</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Injection { get; init; }

    /// <summary>-rtp_echo: send back the RTP received on the media port to where it came from.</summary>
    public bool RtpEcho { get; init; }

    /// <summary>-key name value: generic parameters, [name] in the scenario.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();

    /// <summary>-t: u1 (UDP, one socket) or t1 (TCP, one connection).</summary>
    public string Transport { get; init; } = "u1";

    /// <summary>The loopback address sipp sends from (127.0.0.2 plays a trunk known by its source address).</summary>
    public string LocalAddress { get; init; } = "127.0.0.1";

    /// <summary>Anything else, passed as is.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>A digest user for operator_register.xml's injection file: "user;[authentication username=user password=pw]".</summary>
    public static IReadOnlyList<string> DigestUser(string user, string password) =>
        [user, $"[authentication username={user} password={password}]"];
}

/// <summary>What a sipp run reports: its exit code (0 all calls succeeded, 1 some failed, others: could not run) and its counters.</summary>
public sealed record SippResult(
    int ExitCode,
    bool TimedOut,
    long SuccessfulCalls,
    long FailedCalls,
    long Retransmissions,
    long UnexpectedMessages,
    long InvitesSent,
    long InviteRetransmissions,
    string LogDirectory,
    string Screen,
    IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The sum of the -trace_counts columns ending in <paramref name="suffix"/>, e.g. "_CANCEL_Recv", "_200_Recv".</summary>
    public long Count(string suffix) => Counts.Where(kv => kv.Key.EndsWith(suffix, StringComparison.Ordinal)).Sum(kv => kv.Value);

    /// <summary>
    /// Messages received whose start line begins with <paramref name="startLine"/> ("ACK ", "CANCEL ", "SIP/2.0 487"),
    /// read from the message trace: sipp's -trace_counts only counts the main scenario, not the out-of-call one
    /// (-oocsf) that answers an operator's incoming calls.
    /// </summary>
    public int Received(string startLine)
    {
        var n = 0;
        foreach (var file in Directory.Exists(LogDirectory) ? Directory.GetFiles(LogDirectory, "*_messages.log") : [])
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].Contains("message received", StringComparison.Ordinal)) continue;
                var j = i + 1;
                while (j < lines.Length && lines[j].Trim().Length == 0) j++;
                if (j < lines.Length && lines[j].TrimStart().StartsWith(startLine, StringComparison.Ordinal)) n++;
            }
        }
        return n;
    }

    /// <summary>The logs a failing test should print: the error log, the message trace, the last screen.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"sipp exit {ExitCode}{(TimedOut ? " (timed out, killed)" : "")}: {SuccessfulCalls} successful, {FailedCalls} failed, " +
            $"{Retransmissions} retransmissions, {UnexpectedMessages} unexpected; logs in {LogDirectory}");
        foreach (var file in Directory.Exists(LogDirectory) ? Directory.GetFiles(LogDirectory) : [])
        {
            if (!file.EndsWith("_errors.log", StringComparison.Ordinal) && !file.EndsWith("_messages.log", StringComparison.Ordinal)) continue;
            var content = File.ReadAllText(file);
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(file)} (last 6000 chars)");
            text.AppendLine(content.Length > 6000 ? content[^6000..] : content);
        }
        text.AppendLine("--- screen (last 3000 chars)");
        text.AppendLine(Screen.Length > 3000 ? Screen[^3000..] : Screen);
        return text.ToString();
    }
}

/// <summary>
/// One sipp process, started with <see cref="Start"/>: real SIP over real sockets. Its traces (-trace_stat,
/// -trace_counts, -trace_err, -trace_msg) go into a temp directory; <see cref="WaitAsync"/> awaits its exit and parses
/// them; <see cref="StopAsync"/> ends a long-running peer (an operator phone); disposing kills it if it still runs.
/// sipp missing is a failure with the package to install, never a skip.
/// </summary>
public sealed class SippProcess : IAsyncDisposable
{
    private const string Executable = "sipp";
    private const int SigInt = 2;
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SippProcess(Process process, SippOptions options, string logDirectory, int localPort, int mediaPort)
    {
        _process = process;
        Options = options;
        LogDirectory = logDirectory;
        LocalPort = localPort;
        MediaPort = mediaPort;
    }

    public SippOptions Options { get; }
    public string LogDirectory { get; }
    public int LocalPort { get; }
    public int MediaPort { get; }
    public IPEndPoint LocalEndPoint => new(IPAddress.Loopback, LocalPort);
    public bool HasExited => _process.HasExited;

    /// <summary>Where the scenarios are copied in the test output.</summary>
    public static string ScenarioDirectory => Path.Combine(AppContext.BaseDirectory, "Sip", "Scenarios");

    /// <summary>sipp's RFC 4733 pcaps and G.711 audio (Debian sip-tester).</summary>
    public const string PcapDirectory = "/usr/share/sip-tester";

    public static SippProcess Start(SippOptions options)
    {
        var sipp = FindExecutable()
            ?? throw new InvalidOperationException(
                "sipp is not installed (or not on PATH): the SIP integration tests need it as a real peer. " +
                "Install it with: apt-get install -y sip-tester");
        var logDirectory = Directory.CreateTempSubdirectory("sipp-").FullName;
        var localPort = options.LocalPort != 0 ? options.LocalPort : FreePort.UdpAndTcp();
        var mediaPort = options.MediaPort != 0 ? options.MediaPort : FreePort.Consecutive(4);

        var args = new List<string>
        {
            $"{options.Remote.Address}:{options.Remote.Port}",
            "-sf", ResolveScenario(options.Scenario),
            "-i", options.LocalAddress, "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-mi", options.LocalAddress, "-mp", mediaPort.ToString(CultureInfo.InvariantCulture),
            "-t", options.Transport,
            "-m", options.Calls.ToString(CultureInfo.InvariantCulture),
            "-nostdin", "-fd", "1",
            "-trace_stat", "-trace_counts", "-trace_err", "-trace_msg", "-trace_screen",
        };
        if (options.OutOfCallScenario is { } ooc) args.AddRange(["-oocsf", ResolveScenario(ooc)]);
        if (options.Service is { } service) args.AddRange(["-s", service]);
        if (options.Rate is { } rate) args.AddRange(["-r", rate.ToString(CultureInfo.InvariantCulture)]);
        if (options.Limit is { } limit) args.AddRange(["-l", limit.ToString(CultureInfo.InvariantCulture)]);
        if (options.Pause is { } pause) args.AddRange(["-d", ((long)pause.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
        if (options.RtpEcho) args.Add("-rtp_echo");
        foreach (var (key, value) in options.Keys) args.AddRange(["-key", key, value]);
        if (options.Injection is { Count: > 0 } rows)
        {
            var file = Path.Combine(logDirectory, "injection.csv");
            File.WriteAllLines(file, ["SEQUENTIAL", .. rows.Select(r => string.Join(';', r))]);
            args.AddRange(["-inf", file]);
        }
        args.AddRange(options.ExtraArguments);

        var info = new ProcessStartInfo(sipp)
        {
            WorkingDirectory = logDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        File.WriteAllText(Path.Combine(logDirectory, "command.txt"), sipp + " " + string.Join(' ', args.Select(Quote)) + "\n");

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var run = new SippProcess(process, options, logDirectory, localPort, mediaPort);
        process.OutputDataReceived += (_, e) => run.Append(e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(e.Data);
        process.Exited += (_, _) => run._exited.TrySetResult();
        if (!process.Start()) throw new InvalidOperationException($"could not start {sipp}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for sipp to finish its calls (kills it after <paramref name="timeout"/>) and reads its counters.</summary>
    public async Task<SippResult> WaitAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var timedOut = false;
        try
        {
            await _exited.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            timedOut = true;
            Kill();
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        _process.WaitForExit(); // flushes the redirected output
        return Read(timedOut);
    }

    /// <summary>
    /// Ends a peer that would run on (an operator waiting out its -d): SIGINT makes sipp abort its calls and exit with
    /// its counters written (SIGUSR1 would wait for the calls, i.e. the whole -d); after <paramref name="grace"/> it is killed.
    /// </summary>
    public async Task<SippResult> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited) _ = SendSignal(_process.Id, SigInt);
        return await WaitAsync(grace);
    }

    /// <summary>The counters so far (sipp writes them every second, -fd 1).</summary>
    public SippResult Snapshot() => Read(timedOut: false);

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Reported by the test that used it; nothing more to do here.
        }
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_screen)
        {
            _screen.AppendLine(line);
            if (_screen.Length > 200_000) _screen.Remove(0, _screen.Length - 100_000);
        }
    }

    private SippResult Read(bool timedOut)
    {
        string screen;
        lock (_screen) screen = _screen.ToString();
        var stat = LastRow(Directory.GetFiles(LogDirectory, "*_.csv").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault());
        var counts = LastRow(Directory.GetFiles(LogDirectory, "*_counts.csv").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault());
        long Stat(string column) => stat.TryGetValue(column, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : 0;
        long Sum(Func<string, bool> column) => counts
            .Where(kv => column(kv.Key))
            .Sum(kv => long.TryParse(kv.Value, CultureInfo.InvariantCulture, out var n) ? n : 0);
        return new SippResult(
            ExitCode: _process.HasExited ? _process.ExitCode : -1,
            TimedOut: timedOut,
            SuccessfulCalls: Stat("SuccessfulCall(C)"),
            FailedCalls: Stat("FailedCall(C)"),
            Retransmissions: Sum(c => c.EndsWith("_Retrans", StringComparison.Ordinal)),
            UnexpectedMessages: Sum(c => c.EndsWith("_Unexp", StringComparison.Ordinal)),
            InvitesSent: Sum(c => c.EndsWith("_INVITE_Sent", StringComparison.Ordinal)),
            InviteRetransmissions: Sum(c => c.EndsWith("_INVITE_Retrans", StringComparison.Ordinal)),
            LogDirectory: LogDirectory,
            Screen: screen,
            Counts: counts
                .Where(kv => long.TryParse(kv.Value, CultureInfo.InvariantCulture, out _))
                .ToDictionary(kv => kv.Key, kv => long.Parse(kv.Value, CultureInfo.InvariantCulture), StringComparer.Ordinal));
    }

    /// <summary>The header and the last row of a sipp CSV (';'-separated) as column → value.</summary>
    private static Dictionary<string, string> LastRow(string? file)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        if (file is null) return row;
        string[] lines;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (IOException)
        {
            return row;
        }
        if (lines.Length < 2) return row;
        var names = lines[0].Split(';');
        var values = lines[^1].Split(';');
        for (var i = 0; i < names.Length && i < values.Length; i++) row[names[i]] = values[i];
        return row;
    }

    private static string ResolveScenario(string scenario)
    {
        if (File.Exists(scenario)) return Path.GetFullPath(scenario);
        var inOutput = Path.Combine(ScenarioDirectory, scenario);
        return File.Exists(inOutput) ? inOutput : throw new FileNotFoundException($"no sipp scenario {scenario} (looked in {ScenarioDirectory})", scenario);
    }

    private static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Append("/usr/bin").Append("/usr/local/bin"))
        {
            var path = Path.Combine(dir, Executable);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string Quote(string a) => a.Contains(' ', StringComparison.Ordinal) || a.Contains('[', StringComparison.Ordinal) ? $"'{a}'" : a;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
