using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Routing.Domain.Config;

/// <summary>
/// Maps a YAML (or JSON) node tree onto the configuration model by hand, checking shapes, types and
/// ranges of each object on the way and recording where every part came from. Never stops at the
/// first mistake: a bad value is reported and replaced by its default so that the rest is still read.
/// Checks that need the whole configuration (references, duplicates) are done by <see cref="ConfigValidator"/>.
/// </summary>
internal sealed class ConfigReader(ConfigDiagnostics diag, ConfigLocations locations)
{
    internal static readonly string[] RootKeys = ["version", "provider", "pools", "operators", "tenants"];
    internal static readonly string[] ProviderKeys = ["adminKey"];
    internal static readonly string[] PoolKeys = ["id", "tenants"];
    internal static readonly string[] OperatorKeys = ["id", "name", "password", "tier", "wrapUp", "tenants", "skills"];
    internal static readonly string[] TenantKeys = ["id", "name", "language", "apiKey", "numbers", "hours", "closed", "menu", "defaultQueue", "queues", "trunks"];
    internal static readonly string[] TrunkKeys = ["name", "address", "queue"];
    internal static readonly string[] QueueKeys =
        ["id", "name", "priority", "weight", "serviceLevel", "strategy", "requires", "relax", "tiers", "ringTimeout", "noAnswerPause", "maxWaiting", "overflow", "hours", "closed"];
    internal static readonly string[] RelaxKeys = ["after", "requires"];
    internal static readonly string[] OverflowKeys = ["after", "whenNoOperators", "queue", "tier", "external"];
    internal static readonly string[] HoursKeys = ["timeZone", "weekly", "holidays"];
    internal static readonly string[] ClosedKeys = ["message", "queue", "external"];
    internal static readonly string[] MenuKeys = ["prompt", "timeout", "retries", "onTimeout", "options"];
    internal static readonly string[] ActionKeys = ["queue", "menu", "info", "external", "back"];

    /// <summary>Wrap-up time of an operator that does not set one.</summary>
    public const int DefaultWrapUpSeconds = 10;
    public const string DefaultLanguage = "en";
    public const string DefaultClosedMessage = "We are closed at the moment. Please call again during our opening hours.";
    public const int DefaultMenuTimeoutSeconds = 5;
    public const int DefaultMenuRetries = 2;

    private readonly ConfigDiagnostics _diag = diag;
    private readonly ConfigLocations _locations = locations;

    public string Source => _diag.Source;

    /// <summary>The key each block mapping was written under, so that "has no 'x'" points at "menu:", not at the menu's first key.</summary>
    private readonly Dictionary<YamlNode, YamlNode> _keyOf = new(ReferenceEqualityComparer.Instance);

    public void Error(YamlNode node, string message) =>
        _diag.Error(node is YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow } && _keyOf.TryGetValue(node, out var key) ? key : node, message);

    private void At(object owner, string field, YamlNode node) => _locations.Add(owner, field, ConfigLocation.Of(Source, node));

    // ======================================================================= provider

    public ProviderConfig? ReadProvider(YamlNode root)
    {
        if (Mapping(root, "the configuration") is not { } map) return null;
        var f = new Fields(this, map, "the configuration", RootKeys);
        if (f.Get("version") is { } v && Int(v, "'version'", 0, int.MaxValue) is { } version && version != 1)
            Error(v, $"unknown format version {version}: this program reads version 1");

        string? adminKey = null;
        var adminNode = default(YamlNode);
        if (f.Get("provider") is { } pn && Mapping(pn, "'provider'") is { } pm)
        {
            var pf = new Fields(this, pm, "'provider'", ProviderKeys);
            adminNode = pf.Get("adminKey");
            adminKey = pf.Secret("adminKey");
        }

        var pools = Items(f.Get("pools"), "'pools'", ReadPool);
        var operators = Items(f.Get("operators"), "'operators'", ReadOperator);
        var tenants = Items(f.Get("tenants"), "'tenants'", ReadTenant);
        var config = new ProviderConfig(tenants, operators, pools, adminKey);
        At(config, "", map);
        if (adminNode is not null) At(config, "adminKey", adminNode);
        return config;
    }

    // ======================================================================= pools

    public PoolConfig? ReadPool(YamlNode node)
    {
        if (Mapping(node, "a shared pool") is not { } map) return null;
        var f = new Fields(this, map, "shared pool", PoolKeys);
        var (id, idNode) = f.RequiredId("id");
        var tenants = f.Get("tenants") is { } tn ? IdList(tn, "'tenants'") : [];
        if (!f.Has("tenants")) Error(map, "shared pool has no 'tenants' (the tenants that route together)");
        if (id is null) return null;
        var pool = new PoolConfig(new PoolId(id), [.. tenants.Select(t => new TenantId(t.Value))]);
        At(pool, "", map);
        At(pool, "id", idNode!);
        for (var i = 0; i < tenants.Length; i++) At(pool, $"tenants/{i}", tenants[i].Node);
        return pool;
    }

    // ======================================================================= operators

    public OperatorConfig? ReadOperator(YamlNode node)
    {
        if (Mapping(node, "an operator") is not { } map) return null;
        var f = new Fields(this, map, "operator", OperatorKeys);
        var (id, idNode) = f.RequiredId("id");
        var name = f.Text("name");
        var password = f.Secret("password");
        if (password is null && !f.Has("password"))
            Error(map, "operator has no 'password' (the SIP digest password its phone registers with)");
        var tier = f.Get("tier") is { } tn ? Int(tn, "'tier'", 1, 3) : null;
        var wrapUp = f.Get("wrapUp") is { } wn ? Seconds(wn, "'wrapUp'", 0) : null;
        var tenants = f.Get("tenants") is { } tsn ? IdList(tsn, "'tenants'") : [];
        if (!f.Has("tenants")) Error(map, "operator has no 'tenants' (the tenants whose calls it takes), e.g. tenants: [demo]");
        var skills = f.Get("skills") is { } sn ? SkillLevels(sn, "'skills'", "level") : [];
        if (id is null || password is null) return null;

        var op = new OperatorConfig(new OperatorId(id), name ?? id, password,
            skills.ToImmutableDictionary(s => s.Skill, s => s.Level, StringComparer.Ordinal),
            tier ?? 1, [.. tenants.Select(t => new TenantId(t.Value))], wrapUp ?? DefaultWrapUpSeconds);
        At(op, "", map);
        At(op, "id", idNode!);
        for (var i = 0; i < tenants.Length; i++) At(op, $"tenants/{i}", tenants[i].Node);
        return op;
    }

    // ======================================================================= tenants

    public TenantConfig? ReadTenant(YamlNode node)
    {
        if (Mapping(node, "a tenant") is not { } map) return null;
        var f = new Fields(this, map, "tenant", TenantKeys);
        var (id, idNode) = f.RequiredId("id");
        var tenantId = new TenantId(id ?? "?");
        var name = f.Text("name");
        string? language = null;
        if (f.Get("language") is { } ln && Text(ln, "'language'") is { } lang)
        {
            if (ConfigSyntax.LanguageRegex().IsMatch(lang)) language = lang;
            else Error(ln, $"'{lang}' is not a language code: write a code such as en, ru, de or pt-BR");
        }
        var apiKeyNode = f.Get("apiKey");
        var apiKey = f.Secret("apiKey");

        var numbers = ImmutableArray.CreateBuilder<(string Value, YamlNode Node)>();
        if (f.Get("numbers") is { } nn && Sequence(nn, "'numbers'", "numbers: [\"1000\"]") is { } ns)
        {
            foreach (var item in ns.Children)
            {
                if (Text(item, "a number") is not { } number) continue;
                if (ConfigSyntax.NumberRegex().IsMatch(number)) numbers.Add((number, item));
                else Error(item, $"'{number}' is not a dialled number: use digits, optionally a leading '+' (e.g. \"1000\" or \"+4930123456\")");
            }
        }

        var hours = f.Get("hours") is { } hn ? ReadHours(hn) : null;
        var closed = f.Get("closed") is { } cn ? ReadClosed(tenantId, cn) : null;
        var menu = f.Get("menu") is { } mn ? ReadMenu(mn, depth: 0) : null;
        var defaultQueueNode = f.Get("defaultQueue");
        var defaultQueue = defaultQueueNode is null ? null : Id(defaultQueueNode, "'defaultQueue'");
        var queues = Items(f.Get("queues"), "'queues'", q => ReadQueue(tenantId, q));
        var trunks = Items(f.Get("trunks"), "'trunks'", ReadTrunk);

        if (id is null) return null;
        // One queue and no menu: the only place a call can go; saves the admin a line.
        if (menu is null && defaultQueueNode is null && queues.Length == 1) defaultQueue = queues[0].Id.Name;

        var tenant = new TenantConfig(tenantId, name ?? id, language ?? DefaultLanguage, [.. numbers.Select(n => n.Value)], apiKey,
            hours, closed ?? new ClosedRule.Message(DefaultClosedMessage), menu, defaultQueue, queues) { Trunks = trunks };
        At(tenant, "", map);
        At(tenant, "id", idNode!);
        for (var i = 0; i < numbers.Count; i++) At(tenant, $"numbers/{i}", numbers[i].Node);
        if (apiKeyNode is not null) At(tenant, "apiKey", apiKeyNode);
        if (defaultQueueNode is not null) At(tenant, "defaultQueue", defaultQueueNode);
        return tenant;
    }

    // ======================================================================= trunks

    public TrunkConfig? ReadTrunk(YamlNode node)
    {
        if (Mapping(node, "a trunk", "- { name: acme-pbx, address: 192.0.2.10, queue: support }") is not { } map) return null;
        var f = new Fields(this, map, "trunk", TrunkKeys);
        var (name, nameNode) = f.RequiredId("name");
        var addressNode = f.Get("address");
        string? address = null;
        if (addressNode is null) Error(map, "trunk has no 'address' (the IP address or network its calls come from, e.g. 192.0.2.10 or 192.0.2.0/28)");
        else if (Text(addressNode, "'address'") is { } a)
        {
            if (System.Net.IPNetwork.TryParse(a, out _) || System.Net.IPAddress.TryParse(a, out _)) address = a;
            else Error(addressNode, $"'{a}' is not an IP address or network: write e.g. 192.0.2.10 or 192.0.2.0/28");
        }
        var queueNode = f.Get("queue");
        var queue = queueNode is null ? null : Id(queueNode, "'queue'");
        if (name is null || address is null) return null;
        var trunk = new TrunkConfig(name, address, queue);
        At(trunk, "", map);
        At(trunk, "name", nameNode!);
        At(trunk, "address", addressNode!);
        if (queueNode is not null) At(trunk, "queue", queueNode);
        return trunk;
    }

    // ======================================================================= queues

    public QueueConfig? ReadQueue(TenantId tenant, YamlNode node)
    {
        if (Mapping(node, "a queue") is not { } map) return null;
        var f = new Fields(this, map, "queue", QueueKeys);
        var (id, idNode) = f.RequiredId("id");
        var name = f.Text("name");
        var priority = f.Get("priority") is { } pn ? Int(pn, "'priority'", 0, 100) : null;
        var weight = f.Get("weight") is { } wn ? Number(wn, "'weight'", 0, 1000, minExclusive: true) : null;

        ServiceLevelTarget? sl = null;
        if (f.Get("serviceLevel") is { } sln && Text(sln, "'serviceLevel'") is { } slText)
        {
            if (ConfigSyntax.ParseServiceLevel(slText) is not { } parsed)
                Error(sln, $"'{slText}' is not a service level: write it like \"80% in 20s\"");
            else if (parsed.Percent is < 0 or > 100)
                Error(sln, $"service-level percent must be from 0 to 100, not {parsed.Percent.ToString(CultureInfo.InvariantCulture)}");
            else if (parsed.Seconds < 0)
                Error(sln, "service-level time must not be negative");
            else sl = new ServiceLevelTarget(parsed.Percent, parsed.Seconds);
        }

        RoutingStrategy? strategy = null;
        if (f.Get("strategy") is { } stn && Text(stn, "'strategy'") is { } stText)
        {
            strategy = ConfigSyntax.ParseStrategy(stText);
            if (strategy is null)
                Error(stn, $"unknown strategy '{stText}'{DidYouMean(stText, ConfigSyntax.StrategyNames)}; one of: {string.Join(", ", ConfigSyntax.StrategyNames)}");
        }

        var requiresNode = f.Get("requires");
        var requires = requiresNode is null ? [] : Requirements(requiresNode, "'requires'");

        var relax = ImmutableArray.CreateBuilder<(RelaxationStep Step, YamlNode Node)>();
        if (f.Get("relax") is { } rn && Sequence(rn, "'relax'", "relax: [ { after: 30s, requires: { sales: 3 } } ]") is { } rs)
        {
            foreach (var item in rs.Children)
            {
                if (Mapping(item, "a relax step") is not { } rm) continue;
                var rf = new Fields(this, rm, "relax step", RelaxKeys);
                var after = rf.Get("after") is { } an ? Seconds(an, "'after'", 0) : null;
                if (!rf.Has("after")) Error(rm, "relax step has no 'after' (how long a call waits before it applies)");
                if (!rf.Has("requires")) Error(rm, "relax step has no 'requires' (write requires: {} to drop every requirement)");
                var req = rf.Get("requires") is { } rqn ? Requirements(rqn, "'requires'") : [];
                if (after is null) continue;
                if (relax.Count > 0 && after <= relax[^1].Step.AfterSeconds)
                    Error(rf.Get("after")!, $"relax steps must come in increasing order of 'after': {ConfigSyntax.FormatDuration(after.Value)} follows {ConfigSyntax.FormatDuration(relax[^1].Step.AfterSeconds)}");
                relax.Add((new RelaxationStep(after.Value, req), rm));
            }
        }

        ImmutableArray<int>? tiers = null;
        var tiersNode = f.Get("tiers");
        if (tiersNode is not null && Sequence(tiersNode, "'tiers'", "tiers: [1, 2]") is { } tsn)
        {
            var list = new List<int>();
            foreach (var item in tsn.Children)
            {
                if (Int(item, "a tier", 1, 3) is not { } t) continue;
                if (list.Contains(t)) Error(item, $"tier {t} is listed twice");
                else list.Add(t);
            }
            if (tsn.Children.Count == 0) Error(tsn, "'tiers' is empty: no operator could ever take this queue's calls");
            tiers = [.. list];
        }

        var ring = f.Get("ringTimeout") is { } rtn ? Seconds(rtn, "'ringTimeout'", 1) : null;
        var pause = f.Get("noAnswerPause") is { } pan ? Seconds(pan, "'noAnswerPause'", 0) : null;
        var maxWaiting = f.Get("maxWaiting") is { } mwn ? Int(mwn, "'maxWaiting'", 1, 1_000_000) : null;

        var overflow = Items(f.Get("overflow"), "'overflow'", o => ReadOverflow(tenant, o));
        var hours = f.Get("hours") is { } hn ? ReadHours(hn) : null;
        var closed = f.Get("closed") is { } cn ? ReadClosed(tenant, cn) : null;

        if (id is null) return null;
        var defaults = QueueConfig.Create(QueueId.Of(tenant, id));
        var queue = defaults with
        {
            Name = name ?? defaults.Name,
            Priority = priority ?? defaults.Priority,
            Weight = weight ?? defaults.Weight,
            ServiceLevel = sl ?? defaults.ServiceLevel,
            Requirements = requires,
            Relaxation = [.. relax.Select(r => r.Step)],
            Tiers = tiers ?? defaults.Tiers,
            Overflow = overflow,
            Strategy = strategy ?? defaults.Strategy,
            RingTimeoutSeconds = ring ?? defaults.RingTimeoutSeconds,
            NoAnswerPauseSeconds = pause ?? defaults.NoAnswerPauseSeconds,
            MaxWaiting = maxWaiting ?? defaults.MaxWaiting,
            Hours = hours,
            Closed = closed,
        };
        At(queue, "", map);
        At(queue, "id", idNode!);
        if (requiresNode is not null) At(queue, "requires", requiresNode);
        if (tiersNode is not null) At(queue, "tiers", tiersNode);
        foreach (var (step, stepNode) in relax) At(step, "", stepNode);
        return queue;
    }

    private OverflowRule? ReadOverflow(TenantId tenant, YamlNode node)
    {
        if (Mapping(node, "an overflow rule") is not { } map) return null;
        var f = new Fields(this, map, "overflow rule", OverflowKeys);
        var after = f.Get("after") is { } an ? Seconds(an, "'after'", 0) : null;
        var whenNone = f.Get("whenNoOperators") is { } wn ? Bool(wn, "'whenNoOperators'") : null;
        var triggerOk = true;
        if (f.Has("after") && whenNone == true)
        {
            Error(map, "overflow rule has both 'after' and 'whenNoOperators': use one per rule");
            triggerOk = false;
        }
        else if (!f.Has("after") && whenNone != true)
        {
            if (!f.Has("whenNoOperators") || whenNone == false)
                Error(map, "overflow rule needs a trigger: 'after: 60s' or 'whenNoOperators: true'");
            triggerOk = false;
        }

        var targets = new[] { "queue", "tier", "external" }.Where(f.Has).ToList();
        if (targets.Count != 1)
        {
            Error(map, targets.Count == 0
                ? "overflow rule needs a target: 'queue: name', 'tier: 2' or 'external: sip:...'"
                : $"overflow rule has several targets ({string.Join(", ", targets)}): use one per rule");
            return null;
        }
        var targetNode = f.Get(targets[0])!;
        OverflowTarget? target = targets[0] switch
        {
            "queue" => QueueRef(targetNode, tenant) is { } q ? new OverflowTarget.ToQueue(q) : null,
            "tier" => Int(targetNode, "'tier'", 1, 3) is { } t ? new OverflowTarget.ToTier(t) : null,
            _ => SipUri(targetNode, "'external'") is { } uri ? new OverflowTarget.ToExternal(uri) : null,
        };
        if (target is null || !triggerOk || (f.Has("after") && after is null)) return null;
        var rule = new OverflowRule(whenNone == true ? null : after, whenNone == true, target);
        At(rule, "", map);
        At(rule, "target", targetNode);
        return rule;
    }

    // ======================================================================= hours and closed rules

    private BusinessHours? ReadHours(YamlNode node)
    {
        if (Mapping(node, "'hours'") is not { } map) return null;
        var f = new Fields(this, map, "hours", HoursKeys);
        string? zone = null;
        if (f.Get("timeZone") is { } zn && Text(zn, "'timeZone'") is { } z)
        {
            if (ConfigSyntax.IsKnownTimeZone(z)) zone = z;
            else Error(zn, $"unknown time zone '{z}'{DidYouMean(z, TimeZoneInfo.GetSystemTimeZones().Select(t => t.Id))}: use an IANA name such as Europe/Berlin or UTC");
        }
        else if (!f.Has("timeZone")) Error(map, "hours have no 'timeZone' (e.g. timeZone: Europe/Berlin)");

        var intervals = new List<OpenInterval>();
        if (f.Get("weekly") is { } wn && Mapping(wn, "'weekly'") is { } weekly)
        {
            var seen = new Dictionary<DayOfWeek, string>();
            foreach (var (k, v) in weekly.Children)
            {
                if (Text(k, "a day") is not { } daySpec) continue;
                if (ConfigSyntax.ParseDays(daySpec) is not { } days)
                {
                    Error(k, $"'{daySpec}' is not a day or range of days: use mon, tue, wed, thu, fri, sat, sun, ranges such as mon-fri, lists such as sat,sun, or daily");
                    continue;
                }
                var dayIntervals = ReadIntervals(v);
                foreach (var d in days)
                {
                    if (seen.TryGetValue(d, out var earlier))
                    {
                        Error(k, $"'{ConfigSyntax.DayName(d)}' is given twice (also in '{earlier}')");
                        continue;
                    }
                    seen[d] = daySpec;
                    intervals.AddRange(dayIntervals.Select(i => new OpenInterval(d, i.Open, i.Close)));
                }
            }
        }
        else if (!f.Has("weekly")) Error(map, "hours have no 'weekly' (e.g. weekly: { mon-fri: \"08:00-18:00\" }); leave 'hours' out to be open all the time");

        var holidays = new List<DateOnly>();
        if (f.Get("holidays") is { } hn && Sequence(hn, "'holidays'", "holidays: [2026-12-25]") is { } hs)
        {
            foreach (var item in hs.Children)
            {
                if (Text(item, "a holiday") is not { } text) continue;
                if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    Error(item, $"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-25");
                else if (holidays.Contains(date)) Error(item, $"holiday {text} is listed twice");
                else holidays.Add(date);
            }
        }

        if (zone is null) return null;
        return new BusinessHours(zone,
            [.. intervals.OrderBy(i => ConfigSyntax.DayIndex(i.Day)).ThenBy(i => i.Open)],
            [.. holidays.Order()]);
    }

    /// <summary>"08:00-18:00", "08:00-12:00, 13:00-17:00" or a list of such strings.</summary>
    private List<(TimeOnly Open, TimeOnly Close)> ReadIntervals(YamlNode node)
    {
        var parts = new List<(string Text, YamlNode Node)>();
        if (node is YamlSequenceNode seq)
        {
            foreach (var item in seq.Children)
                if (Text(item, "opening hours") is { } t) parts.Add((t, item));
        }
        else if (Text(node, "opening hours") is { } text)
        {
            parts.AddRange(text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => (p, node)));
            if (parts.Count == 0) Error(node, "no opening hours given: write e.g. \"08:00-18:00\", or leave the day out to be closed");
        }

        var result = new List<(TimeOnly Open, TimeOnly Close)>();
        foreach (var (text, at) in parts)
        {
            if (ConfigSyntax.ParseInterval(text) is not { } iv)
            {
                Error(at, $"'{text}' is not an opening interval: write \"HH:MM-HH:MM\", e.g. \"08:00-18:00\" (24:00 for midnight)");
                continue;
            }
            if (iv.Close <= iv.Open && iv.Close != TimeOnly.MaxValue)
            {
                Error(at, $"'{text}' closes before it opens; for hours past midnight give two days, e.g. fri: \"22:00-24:00\" and sat: \"00:00-02:00\"");
                continue;
            }
            if (result.Any(r => iv.Open.ToTimeSpan() < End(r.Close) && r.Open.ToTimeSpan() < End(iv.Close)))
            {
                Error(at, $"'{text}' overlaps other hours of the same day");
                continue;
            }
            result.Add(iv);
        }
        return result;

        static TimeSpan End(TimeOnly close) => close == TimeOnly.MaxValue ? TimeSpan.FromHours(24) : close.ToTimeSpan();
    }

    private ClosedRule? ReadClosed(TenantId tenant, YamlNode node)
    {
        if (Mapping(node, "'closed'") is not { } map) return null;
        var f = new Fields(this, map, "closed rule", ClosedKeys);
        var targets = ClosedKeys.Where(f.Has).ToList();
        if (targets.Count != 1)
        {
            Error(map, targets.Count == 0
                ? "'closed' needs one of: 'message: text', 'queue: name', 'external: sip:...'"
                : $"'closed' has several targets ({string.Join(", ", targets)}): use one");
            return null;
        }
        var targetNode = f.Get(targets[0])!;
        ClosedRule? rule = targets[0] switch
        {
            "message" => NonEmptyText(targetNode, "'message'") is { } m ? new ClosedRule.Message(m) : null,
            "queue" => QueueRef(targetNode, tenant) is { } q ? new ClosedRule.ToQueue(q) : null,
            _ => SipUri(targetNode, "'external'") is { } uri ? new ClosedRule.ToExternal(uri) : null,
        };
        if (rule is not null) At(rule, "", targetNode);
        return rule;
    }

    // ======================================================================= menus

    private MenuNode? ReadMenu(YamlNode node, int depth)
    {
        if (Mapping(node, "a menu") is not { } map) return null;
        var f = new Fields(this, map, "menu", MenuKeys);
        var prompt = f.Get("prompt") is { } pn ? NonEmptyText(pn, "'prompt'") : null;
        if (!f.Has("prompt")) Error(map, "menu has no 'prompt' (what the caller hears)");
        var timeout = f.Get("timeout") is { } tn ? Seconds(tn, "'timeout'", 1) : null;
        var retries = f.Get("retries") is { } rn ? Int(rn, "'retries'", 0, 10) : null;

        MenuAction? onTimeout = null;
        if (f.Get("onTimeout") is { } on && ReadAction(on, depth) is { } a)
        {
            if (a is MenuAction.ToQueue or MenuAction.ToExternal) onTimeout = a;
            else Error(on, "'onTimeout' can send the call to a queue or an external address: { queue: name } or { external: sip:... }");
        }

        var options = ImmutableDictionary.CreateBuilder<char, MenuAction>();
        if (f.Get("options") is { } optNode && Mapping(optNode, "'options'") is { } om)
        {
            foreach (var (k, v) in om.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                var action = ReadAction(v, depth);
                if (key.Length != 1 || !ConfigSyntax.MenuDigits.Contains(key[0]))
                {
                    Error(k, $"'{key}' is not a phone key: menu options are 0-9, \"*\" or \"#\" (quote * and #)");
                    continue;
                }
                if (action is not null) options[key[0]] = action;
            }
            if (om.Children.Count == 0) Error(om, "menu has no options");
        }
        else if (!f.Has("options")) Error(map, "menu has no 'options' (e.g. options: { \"1\": { queue: sales } })");

        if (prompt is null) return null;
        var menu = new MenuNode(prompt, options.ToImmutable(), timeout ?? DefaultMenuTimeoutSeconds, retries ?? DefaultMenuRetries, onTimeout);
        At(menu, "", map);
        return menu;
    }

    private MenuAction? ReadAction(YamlNode node, int depth)
    {
        if (Mapping(node, "a menu action") is not { } map) return null;
        var f = new Fields(this, map, "menu action", ActionKeys);
        var kinds = ActionKeys.Where(f.Has).ToList();
        if (kinds.Count != 1)
        {
            Error(map, kinds.Count == 0
                ? "menu action needs one of: { queue: name }, { menu: {...} }, { info: text }, { external: sip:... }, { back: true }"
                : $"menu action has several targets ({string.Join(", ", kinds)}): use one");
            return null;
        }
        var target = f.Get(kinds[0])!;
        MenuAction? action = kinds[0] switch
        {
            "queue" => Id(target, "'queue'") is { } q ? new MenuAction.ToQueue(q) : null,
            "menu" => ReadMenu(target, depth + 1) is { } m ? new MenuAction.SubMenu(m) : null,
            "info" => NonEmptyText(target, "'info'") is { } t ? new MenuAction.Info(t) : null,
            "external" => SipUri(target, "'external'") is { } uri ? new MenuAction.ToExternal(uri) : null,
            _ => Bool(target, "'back'") switch
            {
                true when depth == 0 => Fail(target, "'back' only works in a sub-menu: this is the top menu"),
                true => new MenuAction.Back(),
                false => Fail(target, "write 'back: true', or leave the option out"),
                null => null,
            },
        };
        if (action is not null) At(action, "", target);
        return action;

        MenuAction? Fail(YamlNode at, string message)
        {
            Error(at, message);
            return null;
        }
    }

    // ======================================================================= values

    /// <summary>A queue named "name" (this tenant's) or "tenant/name" (another tenant's, which needs a shared pool).</summary>
    private QueueId? QueueRef(YamlNode node, TenantId tenant)
    {
        if (Text(node, "'queue'") is not { } text) return null;
        var parts = text.Split('/');
        if (parts.Length is 1 or 2 && parts.All(p => ConfigSyntax.IdRegex().IsMatch(p)))
            return parts.Length == 1 ? QueueId.Of(tenant, parts[0]) : QueueId.Of(new TenantId(parts[0]), parts[1]);
        Error(node, $"'{text}' is not a queue: write its id (sales), or tenant/id (acme/sales) for another tenant's queue");
        return null;
    }

    private ImmutableArray<SkillRequirement> Requirements(YamlNode node, string what) =>
        [.. SkillLevels(node, what, "minimum level").Select(s => new SkillRequirement(s.Skill, s.Level))];

    private ImmutableArray<(string Skill, int Level)> SkillLevels(YamlNode node, string what, string levelWord)
    {
        if (Mapping(node, what, "{ sales: 5, english: 3 }") is not { } map) return [];
        var result = ImmutableArray.CreateBuilder<(string, int)>();
        foreach (var (k, v) in map.Children)
        {
            var skill = Id(k, "a skill name");
            var level = Int(v, $"the {levelWord} of skill '{(k as YamlScalarNode)?.Value}'", 1, 10);
            if (skill is not null && level is not null) result.Add((skill, level.Value));
        }
        return result.ToImmutable();
    }

    private ImmutableArray<(string Value, YamlNode Node)> IdList(YamlNode node, string what)
    {
        if (Sequence(node, what, $"{what.Trim('\'')}: [demo]") is not { } seq) return [];
        var result = ImmutableArray.CreateBuilder<(string, YamlNode)>();
        foreach (var item in seq.Children)
            if (Id(item, "an id") is { } id) result.Add((id, item));
        return result.ToImmutable();
    }

    private ImmutableArray<T> Items<T>(YamlNode? node, string what, Func<YamlNode, T?> read) where T : class
    {
        if (node is null) return [];
        if (Sequence(node, what, $"{what.Trim('\'')}:\n  - id: ...") is not { } seq) return [];
        var result = ImmutableArray.CreateBuilder<T>();
        foreach (var item in seq.Children)
            if (read(item) is { } value) result.Add(value);
        return result.ToImmutable();
    }

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any } s
        && (string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null" or "Null" or "NULL");

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping (key: value pairs)",
        YamlSequenceNode => "a list",
        _ => "text",
    };

    public YamlMappingNode? Mapping(YamlNode node, string what, string? example = null)
    {
        if (node is YamlMappingNode m) return m;
        Error(node, $"{what} must be a mapping of key: value pairs, not {Describe(node)}{(example is null ? "" : $", e.g. {example}")}");
        return null;
    }

    private YamlSequenceNode? Sequence(YamlNode node, string what, string example)
    {
        if (node is YamlSequenceNode s) return s;
        Error(node, $"{what} must be a list, not {Describe(node)}, e.g. {example}");
        return null;
    }

    public string? Text(YamlNode node, string what)
    {
        if (node is YamlScalarNode s) return s.Value ?? "";
        Error(node, $"{what} must be text, not {Describe(node)}");
        return null;
    }

    private string? NonEmptyText(YamlNode node, string what)
    {
        var text = Text(node, what);
        if (text is null || IsNull(node) || text.Trim().Length == 0)
        {
            if (text is not null) Error(node, $"{what} must not be empty");
            return null;
        }
        return text;
    }

    public string? Id(YamlNode node, string what)
    {
        if (NonEmptyText(node, what) is not { } text) return null;
        if (ConfigSyntax.IdRegex().IsMatch(text)) return text;
        Error(node, $"'{text}' is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit (at most 64)");
        return null;
    }

    private string? SipUri(YamlNode node, string what)
    {
        if (NonEmptyText(node, what) is not { } text) return null;
        if (ConfigSyntax.SipUriRegex().IsMatch(text.Trim())) return text.Trim();
        Error(node, $"'{text}' is not a SIP address: write it as sip:user@host (or sips:, tel:)");
        return null;
    }

    private int? Int(YamlNode node, string what, int min, int max)
    {
        if (Text(node, what) is not { } text) return null;
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            Error(node, $"{what} must be a whole number{Range(min, max)}, not '{text}'");
            return null;
        }
        if (v < min || v > max)
        {
            Error(node, $"{what} must be{Range(min, max)}, not {v}");
            return null;
        }
        return (int)v;
    }

    private static string Range(int min, int max) =>
        max == int.MaxValue ? (min == 0 ? " of 0 or more" : $" of {min} or more") : $" from {min} to {max}";

    private double? Number(YamlNode node, string what, double min, double max, bool minExclusive)
    {
        if (Text(node, what) is not { } text) return null;
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Error(node, $"{what} must be a number, not '{text}'");
            return null;
        }
        if ((minExclusive ? v <= min : v < min) || v > max)
        {
            Error(node, $"{what} must be {(minExclusive ? "more than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)}, not {text}");
            return null;
        }
        return v;
    }

    private bool? Bool(YamlNode node, string what)
    {
        if (Text(node, what) is not { } text) return null;
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
        Error(node, $"{what} must be true or false, not '{text}'");
        return null;
    }

    /// <summary>A duration in whole seconds: 30, 30s, 2m, 1h30m.</summary>
    private int? Seconds(YamlNode node, string what, int min)
    {
        if (Text(node, what) is not { } text) return null;
        if (ConfigSyntax.ParseDuration(text) is not { } s)
        {
            Error(node, $"{what} must be a duration such as 30s, 2m or 1h30m (a bare number is seconds), not '{text}'");
            return null;
        }
        if (s < min)
        {
            Error(node, min == 0 ? $"{what} must not be negative" : $"{what} must be at least {ConfigSyntax.FormatDuration(min)}, not {text}");
            return null;
        }
        return s;
    }

    internal static string DidYouMean(string given, IEnumerable<string> options) =>
        ConfigSyntax.Suggest(given, options) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>The keys of one mapping: unknown keys are reported once, when the mapping is opened.</summary>
    private sealed class Fields
    {
        private readonly ConfigReader _r;
        private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
        private readonly YamlMappingNode _map;
        private readonly string _what;

        public Fields(ConfigReader r, YamlMappingNode map, string what, IReadOnlyCollection<string> allowed)
        {
            (_r, _map, _what) = (r, map, what);
            foreach (var (k, v) in map.Children)
            {
                if (k is not YamlScalarNode { Value: { } key })
                {
                    r.Error(k, $"{what}: keys must be plain names");
                    continue;
                }
                r._keyOf[v] = k;
                if (allowed.Contains(key)) _values[key] = v;
                else r.Error(k, $"unknown key '{key}' in {what}{UnknownHint(key, allowed)}");
            }
        }

        private static string UnknownHint(string key, IReadOnlyCollection<string> allowed) =>
            ConfigSyntax.Suggest(key, allowed) is { } s ? $"; did you mean '{s}'?" : $"; known keys: {string.Join(", ", allowed)}";

        /// <summary>The value of a key, or null when the key is absent or its value is null/empty.</summary>
        public YamlNode? Get(string key) => _values.TryGetValue(key, out var v) && !IsNull(v) ? v : null;

        /// <summary>The key is written, even with an empty value.</summary>
        public bool Has(string key) => _values.ContainsKey(key);

        public string? Text(string key) => Get(key) is { } n ? _r.NonEmptyText(n, $"'{key}'") : null;

        /// <summary>A password or key: must not be empty when written.</summary>
        public string? Secret(string key)
        {
            if (!_values.TryGetValue(key, out var n)) return null;
            if (IsNull(n))
            {
                _r.Error(n, $"'{key}' is empty: give a value or leave the key out");
                return null;
            }
            return _r.NonEmptyText(n, $"'{key}'");
        }

        public (string? Id, YamlNode? Node) RequiredId(string key)
        {
            if (Get(key) is { } n) return (_r.Id(n, $"'{key}'"), n);
            _r.Error(_values.TryGetValue(key, out var empty) ? empty : _map, $"{_what} has no '{key}'");
            return (null, null);
        }
    }
}
