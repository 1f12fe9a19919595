using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Domain.Config;

/// <summary>
/// Turns model objects back into the file format: plain trees (ordered dictionaries, lists, strings, numbers,
/// booleans) that serialize as JSON for the admin API, or as YAML text. What it writes, <see cref="ConfigLoader"/>
/// reads back into an equal model; every value is written, defaults included, so a reader sees what is in force.
/// </summary>
public static partial class ConfigWriter
{
    // ----------------------------------------------------------------- trees

    public static OrderedDictionary<string, object?> ToTree(ProviderConfig config)
    {
        var root = new OrderedDictionary<string, object?> { ["version"] = 1 };
        if (config.AdminKey is { } key) root["provider"] = new OrderedDictionary<string, object?> { ["adminKey"] = key };
        if (!config.SharedPools.IsEmpty) root["pools"] = config.SharedPools.Select(object? (p) => Pool(p)).ToList();
        root["operators"] = config.Operators.Select(object? (o) => Operator(o)).ToList();
        root["tenants"] = config.Tenants.Select(object? (t) => Tenant(t)).ToList();
        return root;
    }

    public static OrderedDictionary<string, object?> Pool(PoolConfig pool) => new()
    {
        ["id"] = pool.Id.Value,
        ["tenants"] = pool.Tenants.Select(object? (t) => t.Value).ToList(),
    };

    /// <param name="includePassword">False to leave the SIP password out (such a tree does not load back: the password is required).</param>
    public static OrderedDictionary<string, object?> Operator(OperatorConfig op, bool includePassword = true)
    {
        var d = new OrderedDictionary<string, object?> { ["id"] = op.Id.Value, ["name"] = op.Name };
        if (includePassword) d["password"] = op.SipPassword;
        d["tier"] = op.Tier;
        d["wrapUp"] = ConfigSyntax.FormatDuration(op.WrapUpSeconds);
        d["tenants"] = op.Tenants.Select(object? (t) => t.Value).ToList();
        d["skills"] = Skills(op.Skills.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value)));
        return d;
    }

    public static OrderedDictionary<string, object?> Tenant(TenantConfig t)
    {
        var d = new OrderedDictionary<string, object?>
        {
            ["id"] = t.Id.Value,
            ["name"] = t.Name,
            ["language"] = t.Language,
        };
        if (t.ApiKey is { } key) d["apiKey"] = key;
        d["numbers"] = t.Numbers.Select(object? (n) => n).ToList();
        if (t.Hours is { } h) d["hours"] = Hours(h);
        d["closed"] = Closed(t.Id, t.Closed);
        if (t.Menu is { } m) d["menu"] = Menu(m);
        if (t.DefaultQueue is { } dq) d["defaultQueue"] = dq;
        d["queues"] = t.Queues.Select(object? (q) => Queue(q)).ToList();
        if (!t.Trunks.IsDefaultOrEmpty)
            d["trunks"] = t.Trunks.Select(object? (k) =>
            {
                var trunk = new OrderedDictionary<string, object?> { ["name"] = k.Name, ["address"] = k.Address };
                if (k.Queue is { } q) trunk["queue"] = q;
                return trunk;
            }).ToList();
        return d;
    }

    public static OrderedDictionary<string, object?> Queue(QueueConfig q)
    {
        var tenant = q.Id.Tenant;
        var d = new OrderedDictionary<string, object?>
        {
            ["id"] = q.Id.Name,
            ["name"] = q.Name,
            ["priority"] = q.Priority,
            ["weight"] = q.Weight,
            ["serviceLevel"] = ConfigSyntax.FormatServiceLevel(q.ServiceLevel),
            ["strategy"] = ConfigSyntax.StrategyName(q.Strategy),
            ["requires"] = Skills(q.Requirements.Select(r => (r.Skill, r.MinLevel))),
        };
        if (!q.Relaxation.IsEmpty)
            d["relax"] = q.Relaxation.Select(object? (r) => new OrderedDictionary<string, object?>
            {
                ["after"] = ConfigSyntax.FormatDuration(r.AfterSeconds),
                ["requires"] = Skills(r.Requirements.Select(x => (x.Skill, x.MinLevel))),
            }).ToList();
        d["tiers"] = q.Tiers.Select(object? (t) => t).ToList();
        d["ringTimeout"] = ConfigSyntax.FormatDuration(q.RingTimeoutSeconds);
        d["noAnswerPause"] = ConfigSyntax.FormatDuration(q.NoAnswerPauseSeconds);
        d["maxWaiting"] = q.MaxWaiting;
        if (!q.Overflow.IsEmpty) d["overflow"] = q.Overflow.Select(object? (r) => Overflow(tenant, r)).ToList();
        if (q.Hours is { } h) d["hours"] = Hours(h);
        if (q.Closed is { } c) d["closed"] = Closed(tenant, c);
        return d;
    }

    private static OrderedDictionary<string, object?> Skills(IEnumerable<(string Skill, int Level)> skills)
    {
        var d = new OrderedDictionary<string, object?>();
        foreach (var (s, l) in skills) d[s] = l;
        return d;
    }

    private static OrderedDictionary<string, object?> Overflow(TenantId tenant, OverflowRule rule)
    {
        var d = new OrderedDictionary<string, object?>();
        if (rule.WhenNoOperators) d["whenNoOperators"] = true;
        else if (rule.AfterSeconds is { } s) d["after"] = ConfigSyntax.FormatDuration(s);
        switch (rule.Target)
        {
            case OverflowTarget.ToQueue q: d["queue"] = QueueRef(tenant, q.Queue); break;
            case OverflowTarget.ToTier t: d["tier"] = t.Tier; break;
            case OverflowTarget.ToExternal x: d["external"] = x.SipUri; break;
        }
        return d;
    }

    private static string QueueRef(TenantId own, QueueId q) => q.Tenant == own ? q.Name : q.Value;

    private static OrderedDictionary<string, object?> Closed(TenantId tenant, ClosedRule rule) => rule switch
    {
        ClosedRule.Message m => new() { ["message"] = m.Text },
        ClosedRule.ToQueue q => new() { ["queue"] = QueueRef(tenant, q.Queue) },
        ClosedRule.ToExternal x => new() { ["external"] = x.SipUri },
        _ => throw new ArgumentException($"unknown closed rule {rule.GetType().Name}", nameof(rule)),
    };

    private static OrderedDictionary<string, object?> Hours(BusinessHours h)
    {
        var weekly = new OrderedDictionary<string, object?>();
        // Days with the same hours are written together: mon-fri: "08:00-18:00".
        var byDay = ConfigSyntax.Days
            .Select(d => (d.Day, Text: string.Join(", ", h.Weekly.Where(i => i.Day == d.Day).OrderBy(i => i.Open).Select(ConfigSyntax.FormatInterval))))
            .Where(x => x.Text.Length > 0)
            .GroupBy(x => x.Text);
        foreach (var g in byDay) weekly[ConfigSyntax.FormatDays(g.Select(x => x.Day))] = g.Key;
        var d = new OrderedDictionary<string, object?> { ["timeZone"] = h.TimeZone, ["weekly"] = weekly };
        if (!h.Holidays.IsEmpty)
            d["holidays"] = h.Holidays.Order().Select(object? (x) => x.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        return d;
    }

    private static OrderedDictionary<string, object?> Menu(MenuNode m)
    {
        var d = new OrderedDictionary<string, object?>
        {
            ["prompt"] = m.Prompt,
            ["timeout"] = ConfigSyntax.FormatDuration(m.TimeoutSeconds),
            ["retries"] = m.MaxRetries,
        };
        if (m.OnTimeout is { } t) d["onTimeout"] = Action(t);
        var options = new OrderedDictionary<string, object?>();
        foreach (var (digit, action) in m.Options.OrderBy(o => KeyOrder(o.Key)))
            options[digit.ToString()] = Action(action);
        d["options"] = options;
        return d;

        static int KeyOrder(char c) => ConfigSyntax.MenuDigits.IndexOf(c) is var i and >= 0 ? i : 100 + c;
    }

    private static OrderedDictionary<string, object?> Action(MenuAction a) => a switch
    {
        MenuAction.ToQueue q => new() { ["queue"] = q.Queue },
        MenuAction.SubMenu s => new() { ["menu"] = Menu(s.Menu) },
        MenuAction.Info i => new() { ["info"] = i.Text },
        MenuAction.ToExternal x => new() { ["external"] = x.SipUri },
        MenuAction.Back => new() { ["back"] = true },
        _ => throw new ArgumentException($"unknown menu action {a.GetType().Name}", nameof(a)),
    };

    // ----------------------------------------------------------------- text

    /// <summary>The whole configuration as a YAML file that <see cref="ConfigLoader.LoadFile"/> reads back.</summary>
    public static string ToYaml(ProviderConfig config) => ToYaml(ToTree(config));

    /// <summary>A tree (from this class) as YAML: small parts in flow style ({ sales: 8 }), the rest as blocks.</summary>
    public static string ToYaml(object tree)
    {
        var stream = new YamlStream(new YamlDocument(ToNode(tree, top: true)));
        var sb = new StringBuilder();
        using (var w = new StringWriter(sb, CultureInfo.InvariantCulture))
            stream.Save(new Emitter(w, EmitterSettings.Default.WithIndentedSequences()), assignAnchors: false);
        var text = sb.ToString().Replace("\r\n", "\n");
        if (text.EndsWith("...\n", StringComparison.Ordinal)) text = text[..^4];
        return text;
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>A tree (from this class) as JSON, the admin API's format; <see cref="ConfigLoader"/> reads it back.</summary>
    public static string ToJson(object tree, bool indented = true) => JsonSerializer.Serialize(tree, indented ? Indented : Compact);

    private const int FlowWidth = 72;

    private static YamlNode ToNode(object? value, bool top = false)
    {
        switch (value)
        {
            case IDictionary<string, object?> map:
            {
                var node = new YamlMappingNode();
                foreach (var (k, v) in map)
                    if (v is not null) node.Add(Scalar(k), ToNode(v));
                if (!top && (map.Count == 0 || FlowLength(value) <= FlowWidth)) node.Style = YamlDotNet.Core.Events.MappingStyle.Flow;
                return node;
            }
            case IList list:
            {
                var node = new YamlSequenceNode();
                foreach (var v in list)
                    if (v is not null) node.Add(ToNode(v));
                // Lists of objects (queues, overflow rules) read best one item per line.
                var ofObjects = list.Cast<object?>().Any(v => v is IDictionary<string, object?>);
                if (list.Count == 0 || (!ofObjects && FlowLength(value) <= FlowWidth)) node.Style = YamlDotNet.Core.Events.SequenceStyle.Flow;
                return node;
            }
            case string s:
                return Scalar(s);
            case bool b:
                return new YamlScalarNode(b ? "true" : "false") { Style = ScalarStyle.Plain };
            case int or long or double or float or decimal:
                return new YamlScalarNode(Convert.ToString(value, CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };
            default:
                throw new ArgumentException($"cannot write a {value?.GetType().Name ?? "null"} as YAML", nameof(value));
        }
    }

    /// <summary>Length of a part written on one line, or int.MaxValue when it holds text with line breaks.</summary>
    private static int FlowLength(object? value)
    {
        switch (value)
        {
            case IDictionary<string, object?> map:
            {
                var n = 4;
                foreach (var (k, v) in map)
                {
                    var l = FlowLength(v);
                    if (l == int.MaxValue) return l;
                    n += k.Length + 4 + l;
                    if (n > FlowWidth) return int.MaxValue;
                }
                return n;
            }
            case IList list:
            {
                var n = 2;
                foreach (var v in list)
                {
                    var l = FlowLength(v);
                    if (l == int.MaxValue) return l;
                    n += l + 2;
                    if (n > FlowWidth) return int.MaxValue;
                }
                return n;
            }
            case string s:
                return s.Contains('\n') ? int.MaxValue : s.Length + 2;
            default:
                return 8;
        }
    }

    private static YamlScalarNode Scalar(string s) =>
        new(s) { Style = NeedsQuotes(s) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };

    /// <summary>Text that YAML would read as something else (a number, a boolean, null, a date) is quoted, so every YAML reader sees text.</summary>
    private static bool NeedsQuotes(string s) =>
        s.Length == 0 || s != s.Trim() || s.Contains('\n') || s.Contains('\t') || AmbiguousScalar().IsMatch(s);

    [GeneratedRegex(@"^(?:[-+]?(?:\.?\d[\d_.:]*(?:[eE][-+]?\d+)?|\.inf|\.nan|0x[0-9a-fA-F]+|0o[0-7]+)|true|false|yes|no|on|off|y|n|null|~|\d{4}-\d\d?-\d\d?.*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AmbiguousScalar();
}
