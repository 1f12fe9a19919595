using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Routing.Domain;
using Routing.Domain.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Simulator.Scenario;

/// <summary>
/// Reads a scenario file (YAML; format in docs/simulator.md). The routing part is the provider configuration format
/// itself, read by <see cref="ConfigLoader"/>: either a <c>config:</c> path, or the config keys (<c>tenants</c>,
/// <c>operators</c>, <c>pools</c>, …) written inline in the scenario. Every mistake is reported as file:line:col,
/// all at once, in a <see cref="ConfigException"/>.
/// </summary>
public static partial class ScenarioLoader
{
    private static readonly string[] SimulatorKeys = ["simulation", "config", "traffic", "teams", "shifts", "staffing"];
    private static readonly string[] ConfigKeys = ["version", "provider", "pools", "operators", "tenants"];
    private static readonly DateOnly DefaultDate = new(2026, 1, 5);

    public static SimScenario LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, $"cannot read the scenario file: {e.Message}")]);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <param name="baseDirectory">Where relative paths (config, CSV files) are looked up.</param>
    public static SimScenario Parse(string text, string sourceName, string baseDirectory)
    {
        var r = new Reader(sourceName, baseDirectory);
        var scenario = r.Read(text);
        if (r.Errors.Count > 0 || scenario is null)
            throw new ConfigException(r.Errors.Count > 0 ? r.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column) : [new ConfigError(sourceName, 0, 0, "expected a scenario")]);
        return scenario;
    }

    /// <summary>Seconds from a duration: 90, "90s", "1.5m", "1h30m", "250ms".</summary>
    public static double? ParseSeconds(string text)
    {
        var t = text.Trim();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)) return plain;
        var matches = DurationPart().Matches(t.Replace(" ", "", StringComparison.Ordinal));
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != t.Replace(" ", "", StringComparison.Ordinal)) return null;
        var total = 0.0;
        foreach (Match m in matches)
        {
            var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value.ToLowerInvariant() switch
            {
                "h" => v * 3600,
                "m" or "min" => v * 60,
                "ms" => v / 1000,
                _ => v,
            };
        }
        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|min|h|m|s)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>Seconds since midnight from "HH:MM" or "HH:MM:SS" (24:00 allowed).</summary>
    public static double? ParseClock(string text)
    {
        var parts = text.Trim().Split(':');
        if (parts.Length is < 2 or > 3) return null;
        var values = new int[3];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
        if (values[0] > 48 || values[1] > 59 || values[2] > 59) return null;
        return values[0] * 3600 + values[1] * 60 + values[2];
    }

    /// <summary>Replaces every line of the simulator's own top-level sections by an empty one, so that the config loader
    /// sees only the config keys and its line numbers stay those of the scenario file.</summary>
    internal static string ConfigPart(string text)
    {
        var lines = text.Split('\n');
        var sb = new StringBuilder(text.Length);
        var skipping = false;
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            var topLevel = line.Length > 0 && !char.IsWhiteSpace(line[0]) && line[0] != '#';
            if (topLevel)
            {
                var colon = line.IndexOf(':');
                var key = colon > 0 ? line[..colon].Trim().Trim('"', '\'') : "";
                skipping = SimulatorKeys.Contains(key);
            }
            sb.Append(skipping ? "" : line).Append('\n');
        }
        return sb.ToString();
    }

    private sealed class Reader(string source, string baseDirectory)
    {
        public readonly List<ConfigError> Errors = [];

        private void Error(YamlNode? node, string message) =>
            Errors.Add(node is null ? new ConfigError(source, 0, 0, message) : new ConfigError(source, (int)node.Start.Line, (int)node.Start.Column, message));

        public SimScenario? Read(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                Errors.Add(new ConfigError(source, Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), $"YAML syntax error: {e.Message}"));
                return null;
            }
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Error(stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode, "a scenario is a mapping with 'simulation', 'traffic' and a routing configuration");
                return null;
            }

            var keys = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
            foreach (var (k, v) in root.Children)
            {
                var keyName = (k as YamlScalarNode)?.Value ?? "";
                if (!SimulatorKeys.Contains(keyName) && !ConfigKeys.Contains(keyName))
                    Error(k, $"unknown key '{keyName}' in the scenario (expected one of: {string.Join(", ", SimulatorKeys.Concat(ConfigKeys))})");
                keys[keyName] = (k, v);
            }

            // ---- the routing configuration
            ProviderConfig? config = null;
            var inline = ConfigKeys.Any(keys.ContainsKey);
            if (keys.TryGetValue("config", out var cfg))
            {
                if (inline) Error(cfg.Key, "write the routing configuration either as 'config: <file>' or inline (tenants, operators…), not both");
                else if (Scalar(cfg.Value, "'config'") is { } path)
                {
                    var full = Path.Combine(baseDirectory, path);
                    var report = ConfigLoader.CheckFile(full);
                    if (report.IsValid) config = report.Config;
                    else Errors.AddRange(report.Errors);
                }
            }
            else if (inline)
            {
                var report = ConfigLoader.Check(ConfigPart(text), source);
                if (report.IsValid) config = report.Config;
                else Errors.AddRange(report.Errors);
            }
            else Error(root, "the scenario has no routing configuration: add 'config: <file>' or inline 'tenants:' and 'operators:'");

            // ---- simulation settings
            var name = Path.GetFileNameWithoutExtension(source);
            var date = DefaultDate;
            double startClock = 0, duration = 24 * 3600, interval = 1800, warmup = 0, drain = 3600, sample = 60;
            ulong seed = 1;
            var replications = 1;
            if (keys.TryGetValue("simulation", out var sim) && Map(sim.Value, "'simulation'") is { } sm)
            {
                var f = Fields(sm, "'simulation'", ["name", "date", "start", "end", "duration", "interval", "warmup", "drain", "sample", "seed", "replications"]);
                if (f.TryGetValue("name", out var n) && Scalar(n, "'name'") is { } nv) name = nv;
                if (f.TryGetValue("date", out var d) && Scalar(d, "'date'") is { } dv)
                {
                    if (DateOnly.TryParseExact(dv, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) date = parsed;
                    else Error(d, $"'{dv}' is not a date: write it as 2026-03-03");
                }
                if (f.TryGetValue("start", out var s)) startClock = Clock(s, "'start'") ?? 0;
                if (f.TryGetValue("end", out var e) && Clock(e, "'end'") is { } end)
                {
                    if (f.ContainsKey("duration")) Error(e, "give either 'end' or 'duration', not both");
                    if (end <= startClock) Error(e, "'end' must come after 'start'");
                    else duration = end - startClock;
                }
                if (f.TryGetValue("duration", out var du)) duration = Seconds(du, "'duration'", 1) ?? duration;
                if (f.TryGetValue("interval", out var iv)) interval = Seconds(iv, "'interval'", 1) ?? interval;
                if (f.TryGetValue("warmup", out var w)) warmup = Seconds(w, "'warmup'", 0) ?? 0;
                if (f.TryGetValue("drain", out var dr)) drain = Seconds(dr, "'drain'", 0) ?? drain;
                if (f.TryGetValue("sample", out var sa)) sample = Seconds(sa, "'sample'", 1) ?? sample;
                if (f.TryGetValue("seed", out var se) && Scalar(se, "'seed'") is { } sv)
                {
                    if (ulong.TryParse(sv, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) seed = parsed;
                    else Error(se, $"'seed' must be a whole number 0 or more, not '{sv}'");
                }
                if (f.TryGetValue("replications", out var re)) replications = Int(re, "'replications'", 1, 100_000) ?? 1;
            }
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(startClock);

            // ---- traffic
            var traffic = ImmutableArray.CreateBuilder<QueueTraffic>();
            if (keys.TryGetValue("traffic", out var tr) && Seq(tr.Value, "'traffic'") is { } ts)
            {
                foreach (var item in ts.Children)
                    if (ReadTraffic(item, config, start, interval) is { } t) traffic.Add(t);
            }
            else Error(root, "the scenario has no 'traffic' (the calls of each queue)");
            foreach (var dup in traffic.GroupBy(t => t.Queue).Where(g => g.Count() > 1))
                Error(root, $"queue '{dup.Key}' has more than one 'traffic' entry");

            // ---- operators: the config's, with shifts, and generated teams
            var shifts = new Dictionary<OperatorId, ImmutableArray<Shift>>();
            if (keys.TryGetValue("shifts", out var sh) && Map(sh.Value, "'shifts'") is { } shm)
            {
                foreach (var (k, v) in shm.Children)
                {
                    var id = new OperatorId(((YamlScalarNode)k).Value ?? "");
                    if (config is not null && config.FindOperator(id) is null) Error(k, $"there is no operator '{id}' in the configuration");
                    shifts[id] = Shifts(v, startClock, duration);
                }
            }
            var operators = ImmutableArray.CreateBuilder<SimOperator>();
            var whole = ImmutableArray.Create(new Shift(0, duration + drain));
            if (config is not null)
                foreach (var op in config.Operators) operators.Add(new SimOperator(op, shifts.GetValueOrDefault(op.Id, whole)));
            if (keys.TryGetValue("teams", out var tm) && Seq(tm.Value, "'teams'") is { } tms)
                foreach (var item in tms.Children) operators.AddRange(ReadTeam(item, config, startClock, duration, whole));
            foreach (var dup in operators.GroupBy(o => o.Config.Id).Where(g => g.Count() > 1))
                Error(root, $"operator id '{dup.Key}' is used twice (a team's generated ids clash with another operator)");

            // ---- staffing helper
            StaffingSettings? staffing = null;
            if (keys.TryGetValue("staffing", out var st) && Map(st.Value, "'staffing'") is { } stm)
            {
                var f = Fields(stm, "'staffing'", ["queues", "target", "replications"]);
                var queues = f.TryGetValue("queues", out var qn) && Seq(qn, "'queues'") is { } qs
                    ? [.. qs.Children.Select(c => QueueRef(c, config)).OfType<QueueId>()]
                    : ImmutableArray<QueueId>.Empty;
                ServiceLevelTarget? target = null;
                if (f.TryGetValue("target", out var tn) && Scalar(tn, "'target'") is { } tv)
                {
                    if (ConfigSyntax.ParseServiceLevel(tv) is { } sl) target = new ServiceLevelTarget(sl.Percent, sl.Seconds);
                    else Error(tn, $"'{tv}' is not a service level: write it as 80% in 20s");
                }
                var reps = f.TryGetValue("replications", out var rn) ? Int(rn, "'replications'", 1, 10_000) ?? 10 : 10;
                staffing = new StaffingSettings(queues, target, reps);
            }

            if (interval > duration) interval = duration;
            if (config is null || Errors.Count > 0) return null;
            return new SimScenario(name, source, config, start, duration, interval, warmup, drain, sample, seed, replications,
                traffic.ToImmutable(), operators.ToImmutable(), staffing);
        }

        private QueueTraffic? ReadTraffic(YamlNode node, ProviderConfig? config, DateTimeOffset start, double interval)
        {
            if (Map(node, "a traffic entry") is not { } m) return null;
            var f = Fields(m, "traffic entry", ["queue", "poisson", "recorded", "talk", "patience"]);
            if (!f.TryGetValue("queue", out var qn)) { Error(m, "traffic entry has no 'queue' (tenant/queue, e.g. demo/sales)"); return null; }
            var queue = QueueRef(qn, config);
            var talk = f.TryGetValue("talk", out var tn) ? Dist(tn, "'talk'") : null;
            if (!f.ContainsKey("talk")) Error(m, "traffic entry has no 'talk' (the talk-time distribution, e.g. talk: { exponential: 3m })");
            var patience = f.TryGetValue("patience", out var pn) ? Dist(pn, "'patience'") : null;
            ArrivalProcess? arrivals = null;
            if (f.TryGetValue("poisson", out var po))
            {
                if (f.ContainsKey("recorded")) Error(po, "give either 'poisson' or 'recorded' arrivals, not both");
                arrivals = Poisson(po, interval);
            }
            else if (f.TryGetValue("recorded", out var rec))
            {
                if (queue is { } q) arrivals = Recorded(rec, q, start);
            }
            else Error(m, "traffic entry has neither 'poisson' nor 'recorded' arrivals");
            return queue is { } id && arrivals is not null && talk is not null ? new QueueTraffic(id, arrivals, talk, patience) : null;
        }

        private ArrivalProcess? Poisson(YamlNode node, double interval)
        {
            // poisson: 120 (per hour) | { perHour: [..] } | { perInterval: [..] }
            if (node is YamlScalarNode)
                return Number(node, "the Poisson rate (calls per hour)", 0) is { } r ? new ArrivalProcess.Poisson([r / 3600], interval) : null;
            if (Map(node, "'poisson'") is not { } m) return null;
            var f = Fields(m, "'poisson'", ["perHour", "perInterval"]);
            var (key, per) = f.ContainsKey("perHour") ? ("perHour", 3600.0) : ("perInterval", interval);
            if (!f.TryGetValue(key, out var v)) { Error(m, "'poisson' needs 'perHour' or 'perInterval' rates"); return null; }
            if (f.ContainsKey("perHour") && f.ContainsKey("perInterval")) Error(m, "give either 'perHour' or 'perInterval', not both");
            var values = v is YamlSequenceNode s ? s.Children.ToList() : [v];
            var rates = values.Select(x => Number(x, "a rate", 0)).ToList();
            if (rates.Any(x => x is null)) return null;
            return new ArrivalProcess.Poisson([.. rates.Select(x => x!.Value / per)], interval);
        }

        private ArrivalProcess? Recorded(YamlNode node, QueueId queue, DateTimeOffset start)
        {
            if (Scalar(node, "'recorded'") is not { } path) return null;
            var full = Path.Combine(baseDirectory, path);
            string[] lines;
            try
            {
                lines = File.ReadAllLines(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(node, $"cannot read '{path}': {e.Message}");
                return null;
            }
            if (lines.Length == 0) { Error(node, $"'{path}' is empty: expected a header line such as time,queue,talk,patience"); return null; }
            var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
            int ti = header.IndexOf("time"), qi = header.IndexOf("queue"), ki = header.IndexOf("talk"), pi = header.IndexOf("patience");
            if (ti < 0) { Error(node, $"'{path}' has no 'time' column (header: time,queue,talk,patience)"); return null; }
            var calls = new List<RecordedArrival>();
            for (var i = 1; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var cells = line.Split(',').Select(c => c.Trim()).ToArray();
                string Cell(int at) => at >= 0 && at < cells.Length ? cells[at] : "";
                if (qi >= 0 && Cell(qi) != queue.Value) continue;
                var where = $"{full}:{i + 1}";
                double at;
                if (double.TryParse(Cell(ti), NumberStyles.Float, CultureInfo.InvariantCulture, out var offset)) at = offset;
                else if (DateTimeOffset.TryParse(Cell(ti), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ts)) at = (ts - start).TotalSeconds;
                else { Errors.Add(new ConfigError(full, i + 1, 1, $"'{Cell(ti)}' is not a time: write seconds from the start or an ISO-8601 time")); continue; }
                double? OptSeconds(int col, string what)
                {
                    var text = Cell(col);
                    if (text.Length == 0) return null;
                    if (ParseSeconds(text) is { } sec && sec >= 0) return sec;
                    Errors.Add(new ConfigError(full, i + 1, 1, $"{where}: '{text}' is not a {what} duration"));
                    return null;
                }
                calls.Add(new RecordedArrival(at, OptSeconds(ki, "talk"), OptSeconds(pi, "patience")));
            }
            return new ArrivalProcess.Recorded([.. calls.Where(c => c.At >= 0).OrderBy(c => c.At)]);
        }

        private Distribution? Dist(YamlNode node, string what)
        {
            if (Map(node, what) is not { } m || m.Children.Count != 1)
            {
                if (node is YamlMappingNode) Error(node, $"{what} names one distribution: exponential, lognormal, empirical or fixed");
                return null;
            }
            var (k, v) = m.Children.First();
            switch (((YamlScalarNode)k).Value)
            {
                case "exponential":
                    return Seconds(v, $"the mean of {what}", 0.001) is { } mean ? new Distribution.Exponential(mean) : null;
                case "fixed":
                    return Seconds(v, $"{what}", 0) is { } fixedValue ? new Distribution.Fixed(fixedValue) : null;
                case "lognormal":
                    if (Map(v, "'lognormal'") is not { } lm) return null;
                    var lf = Fields(lm, "'lognormal'", ["mean", "sd"]);
                    var lmean = lf.TryGetValue("mean", out var mn) ? Seconds(mn, "'mean'", 0.001) : null;
                    var lsd = lf.TryGetValue("sd", out var sn) ? Seconds(sn, "'sd'", 0) : null;
                    if (lmean is null || lsd is null) { if (!lf.ContainsKey("mean") || !lf.ContainsKey("sd")) Error(lm, "'lognormal' needs 'mean' and 'sd'"); return null; }
                    return new Distribution.LogNormal(lmean.Value, lsd.Value);
                case "empirical":
                    var values = new List<double>();
                    if (v is YamlSequenceNode seq)
                    {
                        foreach (var x in seq.Children) if (Seconds(x, "an observed value", 0) is { } d) values.Add(d);
                    }
                    else if (Scalar(v, "'empirical'") is { } file)
                    {
                        try
                        {
                            foreach (var line in File.ReadLines(Path.Combine(baseDirectory, file)))
                            {
                                var t = line.Split(',')[0].Trim();
                                if (t.Length == 0 || t.StartsWith('#')) continue;
                                if (ParseSeconds(t) is { } d && d >= 0) values.Add(d);
                                else if (values.Count > 0) Error(v, $"'{file}': '{t}' is not a duration");
                            }
                        }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                        {
                            Error(v, $"cannot read '{file}': {e.Message}");
                        }
                    }
                    if (values.Count == 0) { Error(v, "'empirical' needs at least one value (a list, or a file with one duration per line)"); return null; }
                    return new Distribution.Empirical([.. values]);
                default:
                    Error(k, $"unknown distribution '{((YamlScalarNode)k).Value}': use exponential, lognormal, empirical or fixed");
                    return null;
            }
        }

        private IEnumerable<SimOperator> ReadTeam(YamlNode node, ProviderConfig? config, double startClock, double duration, ImmutableArray<Shift> whole)
        {
            if (Map(node, "a team") is not { } m) yield break;
            var f = Fields(m, "team", ["id", "count", "tier", "tenants", "skills", "wrapUp", "shifts"]);
            var id = f.TryGetValue("id", out var idn) ? Scalar(idn, "'id'") : null;
            if (id is null) Error(m, "team has no 'id' (the prefix of its operators' ids)");
            var count = f.TryGetValue("count", out var cn) ? Int(cn, "'count'", 0, 1_000_000) : null;
            if (!f.ContainsKey("count")) Error(m, "team has no 'count'");
            var tier = f.TryGetValue("tier", out var tn) ? Int(tn, "'tier'", 1, 3) ?? 1 : 1;
            var wrap = f.TryGetValue("wrapUp", out var wn) ? Seconds(wn, "'wrapUp'", 0) ?? 0 : 0;
            var tenants = ImmutableArray<TenantId>.Empty;
            if (f.TryGetValue("tenants", out var tsn) && Seq(tsn, "'tenants'") is { } tss)
            {
                tenants = [.. tss.Children.Select(c => new TenantId(Scalar(c, "a tenant") ?? ""))];
                foreach (var (t, c) in tenants.Zip(tss.Children))
                    if (config is not null && config.FindTenant(t) is null) Error(c, $"there is no tenant '{t}' in the configuration");
            }
            else Error(m, "team has no 'tenants' (the tenants whose calls it takes)");
            var skills = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
            if (f.TryGetValue("skills", out var sn) && Map(sn, "'skills'") is { } sm)
                foreach (var (k, v) in sm.Children)
                    if (Int(v, "a skill level", 1, 10) is { } level) skills[((YamlScalarNode)k).Value ?? ""] = level;
            var shifts = f.TryGetValue("shifts", out var shn) ? Shifts(shn, startClock, duration) : whole;
            if (id is null || count is null) yield break;
            var width = Math.Max(3, count.Value.ToString(CultureInfo.InvariantCulture).Length);
            var skillSet = skills.ToImmutable();
            for (var i = 1; i <= count; i++)
            {
                var opId = new OperatorId($"{id}-{i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}");
                yield return new SimOperator(new OperatorConfig(opId, opId.Value, "simulated", skillSet, tier, tenants, (int)Math.Round(wrap)), shifts);
            }
        }

        private ImmutableArray<Shift> Shifts(YamlNode node, double startClock, double duration)
        {
            var items = node is YamlSequenceNode s ? s.Children.ToList() : [node];
            var result = ImmutableArray.CreateBuilder<Shift>();
            foreach (var item in items)
            {
                if (Scalar(item, "a shift") is not { } text) continue;
                var parts = text.Split('-');
                if (parts.Length != 2 || ParseClock(parts[0]) is not { } from || ParseClock(parts[1]) is not { } to || to <= from)
                {
                    Error(item, $"'{text}' is not a shift: write it as \"08:00-16:30\"");
                    continue;
                }
                result.Add(new Shift(Math.Max(0, from - startClock), to - startClock));
            }
            return result.ToImmutable();
        }

        private QueueId? QueueRef(YamlNode node, ProviderConfig? config)
        {
            if (Scalar(node, "a queue") is not { } text) return null;
            if (!text.Contains('/')) { Error(node, $"'{text}' is not a queue: write tenant/queue, e.g. demo/sales"); return null; }
            var id = new QueueId(text);
            if (config is not null && config.FindQueue(id) is null) { Error(node, $"there is no queue '{text}' in the configuration"); return null; }
            return id;
        }

        // ---- small readers ----

        private Dictionary<string, YamlNode> Fields(YamlMappingNode m, string what, string[] allowed)
        {
            var d = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in m.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(key)) Error(k, $"unknown key '{key}' in {what} (expected one of: {string.Join(", ", allowed)})");
                else d[key] = v;
            }
            return d;
        }

        private YamlMappingNode? Map(YamlNode node, string what)
        {
            if (node is YamlMappingNode m) return m;
            Error(node, $"{what} must be a mapping (key: value lines)");
            return null;
        }

        private YamlSequenceNode? Seq(YamlNode node, string what)
        {
            if (node is YamlSequenceNode s) return s;
            Error(node, $"{what} must be a list");
            return null;
        }

        private string? Scalar(YamlNode node, string what)
        {
            if (node is YamlScalarNode { Value: { } v }) return v;
            Error(node, $"{what} must be a single value");
            return null;
        }

        private double? Number(YamlNode node, string what, double min)
        {
            if (Scalar(node, what) is not { } t) return null;
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && double.IsFinite(v)) return v;
            Error(node, $"{what} must be a number {min} or more, not '{t}'");
            return null;
        }

        private int? Int(YamlNode node, string what, int min, int max)
        {
            if (Scalar(node, what) is not { } t) return null;
            if (int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            Error(node, $"{what} must be a whole number from {min} to {max}, not '{t}'");
            return null;
        }

        private double? Seconds(YamlNode node, string what, double min)
        {
            if (Scalar(node, what) is not { } t) return null;
            if (ParseSeconds(t) is { } v && v >= min) return v;
            Error(node, $"{what} must be a duration of at least {min}s, such as 30s, 2.5m or 1h30m, not '{t}'");
            return null;
        }

        private double? Clock(YamlNode node, string what)
        {
            if (Scalar(node, what) is not { } t) return null;
            if (ParseClock(t) is { } v) return v;
            Error(node, $"{what} must be a time of day such as \"08:00\", not '{t}'");
            return null;
        }
    }
}
