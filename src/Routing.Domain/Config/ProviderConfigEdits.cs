namespace Routing.Domain.Config;

/// <summary>
/// Run-time changes applied to a configuration: an upsert replaces the entry with the same id in place (or
/// appends it), a delete removes it. These do not check anything; use <see cref="ConfigValidator.NewErrors(ProviderConfig, ProviderConfig, string)"/>
/// on the result to refuse a change that would break a reference.
/// </summary>
public static class ProviderConfigEdits
{
    public static ProviderConfig WithTenant(this ProviderConfig config, TenantConfig tenant)
    {
        var existing = config.FindTenant(tenant.Id);
        return config with { Tenants = existing is null ? config.Tenants.Add(tenant) : config.Tenants.SetItem(config.Tenants.IndexOf(existing), tenant) };
    }

    public static ProviderConfig WithoutTenant(this ProviderConfig config, TenantId id) =>
        config with { Tenants = config.Tenants.RemoveAll(t => t.Id == id) };

    /// <summary>Upserts a queue into its tenant (named by the queue id); the configuration is unchanged when that tenant does not exist.</summary>
    public static ProviderConfig WithQueue(this ProviderConfig config, QueueConfig queue)
    {
        if (config.FindTenant(queue.Id.Tenant) is not { } tenant) return config;
        var existing = tenant.Queues.FirstOrDefault(q => q.Id == queue.Id);
        var queues = existing is null ? tenant.Queues.Add(queue) : tenant.Queues.SetItem(tenant.Queues.IndexOf(existing), queue);
        return config.WithTenant(tenant with { Queues = queues });
    }

    public static ProviderConfig WithoutQueue(this ProviderConfig config, QueueId id) =>
        config.FindTenant(id.Tenant) is { } tenant
            ? config.WithTenant(tenant with { Queues = tenant.Queues.RemoveAll(q => q.Id == id) })
            : config;

    public static ProviderConfig WithOperator(this ProviderConfig config, OperatorConfig op)
    {
        var existing = config.FindOperator(op.Id);
        return config with { Operators = existing is null ? config.Operators.Add(op) : config.Operators.SetItem(config.Operators.IndexOf(existing), op) };
    }

    public static ProviderConfig WithoutOperator(this ProviderConfig config, OperatorId id) =>
        config with { Operators = config.Operators.RemoveAll(o => o.Id == id) };
}
