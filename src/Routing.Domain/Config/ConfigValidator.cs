using System.Collections.Immutable;

namespace Routing.Domain.Config;

/// <summary>
/// Checks that need the whole configuration: unique ids, numbers and keys; references to tenants,
/// queues and skills; the shared-pool rule for cross-tenant queues. Runs on the model, so it serves
/// both the file loader (which passes where each part was read, for line numbers) and run-time
/// changes (<see cref="NewErrors"/>).
/// Severity: a reference that would make calls fail (unknown queue, tenant, pool rule) is an error;
/// a skill no operator holds, an empty pool or a tenant without numbers is a warning, because
/// operators and numbers are added at run time and overflow/relaxation may still serve the calls.
/// </summary>
public static class ConfigValidator
{
    /// <summary>Checks a whole configuration (for instance the file merged with run-time changes).</summary>
    public static ConfigReport Validate(ProviderConfig config, string sourceName = "config")
    {
        var diag = new ConfigDiagnostics(sourceName);
        Check(config, diag, new ConfigLocations(), wholeProvider: true);
        return Report(config, diag);
    }

    /// <summary>
    /// The errors that <paramref name="after"/> has and <paramref name="before"/> had not: what a run-time
    /// change (upsert or delete) would break, e.g. deleting a queue that a menu still sends calls to.
    /// </summary>
    public static ImmutableArray<ConfigError> NewErrors(ProviderConfig before, ProviderConfig after, string sourceName = "change") =>
        NewErrors(before, after, new ConfigLocations(), sourceName);

    internal static ImmutableArray<ConfigError> NewErrors(ProviderConfig before, ProviderConfig after, ConfigLocations locations, string sourceName)
    {
        var old = new ConfigDiagnostics(sourceName);
        Check(before, old, new ConfigLocations(), wholeProvider: true);
        var known = old.Errors.Select(e => e.Message).ToHashSet(StringComparer.Ordinal);
        var now = new ConfigDiagnostics(sourceName);
        Check(after, now, locations, wholeProvider: true);
        return ConfigDiagnostics.Sorted(now.Errors.Where(e => e.Line > 0 || !known.Contains(e.Message)));
    }

    internal static ConfigReport Report(ProviderConfig? config, ConfigDiagnostics diag) =>
        new(diag.Errors.Count == 0 ? config : null, ConfigDiagnostics.Sorted(diag.Errors), ConfigDiagnostics.Sorted(diag.Warnings));

    /// <param name="wholeProvider">False when only one tenant is known (a tenant parsed without the current configuration):
    /// references to other tenants, pools and operators are then not checked.</param>
    internal static void Check(ProviderConfig config, ConfigDiagnostics diag, ConfigLocations loc, bool wholeProvider)
    {
        new Checker(config, diag, loc, wholeProvider).Run();
    }

    private sealed class Checker(ProviderConfig config, ConfigDiagnostics diag, ConfigLocations loc, bool wholeProvider)
    {
        public void Run()
        {
            if (wholeProvider && config.Tenants.IsEmpty)
                diag.Warning(loc.Find(config), "there are no tenants: no call can be taken");

            Duplicates(config.Tenants.Select(t => (t.Id.Value, (object)t, "id")), (id, _, _) => $"tenant id '{id}' is used twice");

            Duplicates(
                config.Tenants.SelectMany(t => t.Numbers.Select((n, i) => (n, (object)t, $"numbers/{i}"))),
                (n, first, item) => ReferenceEquals(first, item)
                    ? $"number '{n}' is listed twice"
                    : $"number '{n}' is already used by tenant '{((TenantConfig)first).Id}': a number leads to one tenant");

            Duplicates(
                config.Tenants.Where(t => t.ApiKey is not null).Select(t => (t.ApiKey!, (object)t, "apiKey")),
                (_, first, _) => $"this apiKey is already the key of tenant '{((TenantConfig)first).Id}': every tenant needs its own");
            if (config.AdminKey is { } admin)
                foreach (var t in config.Tenants.Where(t => t.ApiKey == admin))
                    diag.Error(loc.Find(t, "apiKey"), $"tenant '{t.Id}' has the provider's adminKey as its apiKey: give it its own");

            foreach (var t in config.Tenants) CheckTenant(t);

            if (!wholeProvider) return;
            CheckPools();
            CheckOperators();
            CheckSkills();
        }

        private void CheckTenant(TenantConfig t)
        {
            Duplicates(t.Queues.Select(q => (q.Id.Name, (object)q, "id")), (name, _, _) => $"queue id '{name}' is used twice in tenant '{t.Id}'");
            foreach (var q in t.Queues.Where(q => q.Id.Tenant != t.Id))
                diag.Error(loc.Find(q, "id"), $"queue '{q.Id}' is listed under tenant '{t.Id}'");

            if (t.Numbers.IsEmpty)
                diag.Warning(loc.Find(t, "id"), $"tenant '{t.Id}' has no numbers: no call can reach it");

            foreach (var trunk in t.Trunks)
            {
                if (trunk.Queue is { } tq && FindQueue(t, tq) is null)
                    diag.Error(loc.Find(trunk, "queue"), $"trunk '{trunk.Name}': queue '{tq}' is not a queue of tenant '{t.Id}'{Suggest(tq, t)}");
                if (t.Numbers.IsEmpty)
                    diag.Error(loc.Find(trunk, "name"), $"trunk '{trunk.Name}': tenant '{t.Id}' has no number, and a trunk's calls are recorded as calls to the tenant's first number");
                foreach (var other in config.Tenants.SelectMany(o => o.Trunks.Select(k => (Tenant: o, Trunk: k))))
                {
                    if (ReferenceEquals(other.Trunk, trunk)) break; // each pair once: only against trunks read before this one
                    var (a, b) = (trunk.Network, other.Trunk.Network);
                    if (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress))
                        diag.Error(loc.Find(trunk, "address"), $"trunk '{trunk.Name}' ({trunk.Address}) overlaps trunk '{other.Trunk.Name}' ({other.Trunk.Address}) of tenant '{other.Tenant.Id}': a source address must name one trunk");
                }
            }
            if (t.DefaultQueue is { } dq && FindQueue(t, dq) is null)
                diag.Error(loc.Find(t, "defaultQueue"), $"defaultQueue '{dq}' is not a queue of tenant '{t.Id}'{Suggest(dq, t)}");

            if (t.Menu is null && t.DefaultQueue is null)
            {
                if (t.Queues.IsEmpty)
                    diag.Warning(loc.Find(t, "id"), $"tenant '{t.Id}' has no queues and no menu yet: its calls fail until a queue is added");
                else
                    diag.Error(loc.Find(t, "id"), $"tenant '{t.Id}' has neither a menu nor a defaultQueue: its calls would have nowhere to go (add defaultQueue: {t.Queues[0].Id.Name})");
            }

            if (t.Menu is { } menu) CheckMenu(t, menu, depth: 0);
            if (t.Hours is { } h) CheckHours(t, h);
            CheckClosed(t, t.Closed, $"tenant '{t.Id}'");

            foreach (var q in t.Queues)
            {
                if (q.Hours is { } qh) CheckHours(q, qh);
                if (q.Closed is { } c) CheckClosed(t, c, $"queue '{q.Id}'");
                foreach (var rule in q.Overflow)
                {
                    switch (rule.Target)
                    {
                        case OverflowTarget.ToQueue tq when tq.Queue == q.Id:
                            diag.Error(loc.Find(rule, "target"), $"queue '{q.Id.Name}' overflows to itself");
                            break;
                        case OverflowTarget.ToQueue tq:
                            CheckQueueTarget(t, tq.Queue, loc.Find(rule, "target"), "overflow");
                            break;
                        case OverflowTarget.ToTier tier when q.Tiers.Contains(tier.Tier):
                            diag.Warning(loc.Find(rule, "target"), $"tier {tier.Tier} already serves queue '{q.Id}': this overflow rule changes nothing");
                            break;
                    }
                }
            }
        }

        private void CheckMenu(TenantConfig t, MenuNode menu, int depth)
        {
            foreach (var action in menu.Options.Values.Append(menu.OnTimeout))
            {
                switch (action)
                {
                    case MenuAction.ToQueue q when FindQueue(t, q.Queue) is null:
                        diag.Error(loc.Find(action), $"menu sends calls to queue '{q.Queue}', which is not a queue of tenant '{t.Id}'{Suggest(q.Queue, t)}");
                        break;
                    case MenuAction.SubMenu sub:
                        CheckMenu(t, sub.Menu, depth + 1);
                        break;
                    case MenuAction.Back when depth == 0:
                        diag.Error(loc.Find(action), "'back' only works in a sub-menu: this is the top menu");
                        break;
                }
            }
        }

        private void CheckHours(object owner, BusinessHours hours)
        {
            if (!ConfigSyntax.IsKnownTimeZone(hours.TimeZone))
                diag.Error(loc.Find(owner), $"unknown time zone '{hours.TimeZone}'");
        }

        private void CheckClosed(TenantConfig t, ClosedRule rule, string owner)
        {
            if (rule is ClosedRule.ToQueue q) CheckQueueTarget(t, q.Queue, loc.Find(rule), $"closed rule of {owner}");
        }

        /// <summary>A queue a call is moved to: this tenant's, or another tenant's in the same shared pool.</summary>
        private void CheckQueueTarget(TenantConfig from, QueueId target, ConfigLocation? at, string what)
        {
            if (target.Tenant == from.Id)
            {
                if (FindQueue(from, target.Name) is null)
                    diag.Error(at, $"{what} goes to queue '{target.Name}', which is not a queue of tenant '{from.Id}'{Suggest(target.Name, from)}");
                return;
            }
            if (!wholeProvider) return;
            var other = config.FindTenant(target.Tenant);
            if (other is null)
            {
                diag.Error(at, $"{what} goes to '{target}', but there is no tenant '{target.Tenant}'{ConfigReader.DidYouMean(target.Tenant.Value, config.Tenants.Select(x => x.Id.Value))}");
                return;
            }
            if (FindQueue(other, target.Name) is null)
                diag.Error(at, $"{what} goes to '{target}', but tenant '{other.Id}' has no queue '{target.Name}'{Suggest(target.Name, other)}");
            var pool = config.PoolOf(from.Id);
            if (pool != config.PoolOf(other.Id) || config.SharedPools.All(p => p.Id != pool))
                diag.Error(at, $"{what} goes to '{target}' of another tenant, but tenants '{from.Id}' and '{other.Id}' are not in one shared pool: add a pool listing both, or use external: sip:...");
        }

        private void CheckPools()
        {
            Duplicates(config.SharedPools.Select(p => (p.Id.Value, (object)p, "id")), (id, _, _) => $"pool id '{id}' is used twice");
            var poolOfTenant = new Dictionary<TenantId, PoolConfig>();
            foreach (var p in config.SharedPools)
            {
                for (var i = 0; i < p.Tenants.Length; i++)
                {
                    var t = p.Tenants[i];
                    var at = loc.Find(p, $"tenants/{i}");
                    if (config.FindTenant(t) is null)
                        diag.Error(at, $"pool '{p.Id}' lists tenant '{t}', which does not exist{ConfigReader.DidYouMean(t.Value, config.Tenants.Select(x => x.Id.Value))}");
                    else if (poolOfTenant.TryGetValue(t, out var earlier))
                        diag.Error(at, ReferenceEquals(earlier, p)
                            ? $"tenant '{t}' is listed twice in pool '{p.Id}'"
                            : $"tenant '{t}' is already in pool '{earlier.Id}': a tenant routes in one pool");
                    else poolOfTenant[t] = p;
                }
                // A tenant outside any shared pool routes in a pool named after it; a shared pool must not take that name.
                if (config.FindTenant(new TenantId(p.Id.Value)) is { } clash && !p.Tenants.Contains(clash.Id))
                    diag.Error(loc.Find(p, "id"), $"pool id '{p.Id}' is the id of tenant '{clash.Id}', which is not in it: choose another pool id");
                if (p.Tenants.Distinct().Count() < 2)
                    diag.Warning(loc.Find(p, "id"), $"pool '{p.Id}' has fewer than two tenants: it shares nothing");
            }
        }

        private void CheckOperators()
        {
            Duplicates(config.Operators.Select(o => (o.Id.Value, (object)o, "id")), (id, _, _) => $"operator id '{id}' is used twice");
            foreach (var o in config.Operators)
            {
                if (o.Tenants.IsEmpty)
                    diag.Warning(loc.Find(o, "id"), $"operator '{o.Id}' serves no tenant: it will never get a call");
                for (var i = 0; i < o.Tenants.Length; i++)
                {
                    var t = o.Tenants[i];
                    if (config.FindTenant(t) is null)
                        diag.Error(loc.Find(o, $"tenants/{i}"), $"operator '{o.Id}' serves tenant '{t}', which does not exist{ConfigReader.DidYouMean(t.Value, config.Tenants.Select(x => x.Id.Value))}");
                    else if (o.Tenants.IndexOf(t) < i)
                        diag.Error(loc.Find(o, $"tenants/{i}"), $"tenant '{t}' is listed twice");
                }
            }
        }

        /// <summary>A required skill that no operator of the tenant holds: its calls wait until relaxation or overflow. A warning.</summary>
        private void CheckSkills()
        {
            foreach (var t in config.Tenants)
            {
                var held = config.Operators.Where(o => o.Tenants.Contains(t.Id)).SelectMany(o => o.Skills.Keys).ToHashSet(StringComparer.Ordinal);
                foreach (var q in t.Queues)
                {
                    var reported = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var (reqs, owner, field) in q.Relaxation.Select(r => (r.Requirements, (object)r, ""))
                                 .Prepend((q.Requirements, q, "requires")))
                    {
                        foreach (var r in reqs)
                        {
                            if (held.Contains(r.Skill) || !reported.Add(r.Skill)) continue;
                            diag.Warning(loc.Find(owner, field),
                                $"queue '{q.Id}' requires skill '{r.Skill}', which no operator of tenant '{t.Id}' has{ConfigReader.DidYouMean(r.Skill, held)}");
                        }
                    }
                }
            }
        }

        private static QueueConfig? FindQueue(TenantConfig t, string name) => t.Queues.FirstOrDefault(q => q.Id.Name == name);

        private static string Suggest(string name, TenantConfig t) => ConfigReader.DidYouMean(name, t.Queues.Select(q => q.Id.Name));

        /// <summary>
        /// Reports every repeated key. Where all occurrences were read from one text, the first is taken as
        /// the original and the later ones are reported; where only some carry a place (a change checked
        /// against the current configuration), those are reported, since they are what the change brings.
        /// </summary>
        private void Duplicates(IEnumerable<(string Key, object Owner, string Field)> items, Func<string, object, object, string> message)
        {
            foreach (var group in items.GroupBy(i => i.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                var all = group.ToList();
                var located = all.Where(i => loc.Has(i.Owner, i.Field) || loc.Has(i.Owner)).ToList();
                var report = located.Count == all.Count || located.Count == 0 ? all.Skip(1) : located;
                foreach (var item in report)
                {
                    var first = all.First(o => !ReferenceEquals(o.Owner, item.Owner) || o.Field != item.Field);
                    diag.Error(loc.Find(item.Owner, item.Field), message(group.Key, first.Owner, item.Owner));
                }
            }
        }
    }
}
