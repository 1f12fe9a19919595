namespace Routing.Domain;

/// <summary>A client company of the provider.</summary>
public readonly record struct TenantId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A tenant's queue, written "{tenant}/{queue}".</summary>
public readonly record struct QueueId(string Value)
{
    public static QueueId Of(TenantId tenant, string name) => new($"{tenant.Value}/{name}");
    public TenantId Tenant => new(Value[..Math.Max(0, Value.IndexOf('/'))]);
    public string Name => Value[(Value.IndexOf('/') + 1)..];
    public override string ToString() => Value;
}

/// <summary>An operator; provider-wide since one operator may serve several tenants.</summary>
public readonly record struct OperatorId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>One call attempt, written "{tenant}/{id}".</summary>
public readonly record struct CallId(string Value)
{
    public static CallId New(TenantId tenant) => new($"{tenant.Value}/{Guid.NewGuid():N}");
    public TenantId Tenant => new(Value[..Math.Max(0, Value.IndexOf('/'))]);
    public override string ToString() => Value;
}

/// <summary>A routing pool: the set of queues one router matches against one set of operators.</summary>
public readonly record struct PoolId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>Identifies one reservation of an operator for one call.</summary>
public readonly record struct ReservationId(string Value)
{
    public static ReservationId New() => new(Guid.NewGuid().ToString("N"));
    public override string ToString() => Value;
}
