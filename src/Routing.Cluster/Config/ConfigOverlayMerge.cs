using System.Collections.Immutable;
using Routing.Cluster.Messages;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Cluster.Config;

/// <summary>Applies persisted run-time changes, in order, on top of the configuration file.</summary>
public static class ConfigOverlayMerge
{
    public const string Tenant = "tenant";
    public const string Queue = "queue";
    public const string Operator = "operator";

    public static ProviderConfig Apply(ProviderConfig file, IEnumerable<ConfigChangeRecorded> changes)
    {
        var config = file;
        foreach (var c in changes) config = Apply(config, c);
        return config;
    }

    public static ProviderConfig Apply(ProviderConfig config, ConfigChangeRecorded c)
    {
        var source = $"change of {c.Kind} {c.Id} at {c.At:O}";
        switch (c.Kind)
        {
            case Tenant:
                var tenantId = new TenantId(c.Id);
                var tenants = config.Tenants.RemoveAll(t => t.Id == tenantId);
                if (c.Text is not null) tenants = tenants.Add(ConfigLoader.ParseTenant(c.Text, source));
                return config with { Tenants = tenants };
            case Queue:
                var queueId = new QueueId(c.Id);
                var owner = config.FindTenant(queueId.Tenant);
                if (owner is null) return config;
                var queues = owner.Queues.RemoveAll(q => q.Id == queueId);
                if (c.Text is not null) queues = queues.Add(ConfigLoader.ParseQueue(queueId.Tenant, c.Text, source));
                return config with { Tenants = config.Tenants.Replace(owner, owner with { Queues = queues }) };
            case Operator:
                var opId = new OperatorId(c.Id);
                var ops = config.Operators.RemoveAll(o => o.Id == opId);
                if (c.Text is not null) ops = ops.Add(ConfigLoader.ParseOperator(c.Text, source));
                return config with { Operators = ops };
            default:
                return config;
        }
    }
}
