using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Api.Endpoints;

/// <summary>
/// What a caller may see and change. A tenant key asking for another tenant's resource gets the same 404 as for
/// one that does not exist, so keys cannot probe other tenants; 403 only answers what the caller can already see.
/// </summary>
internal static class Access
{
    public const string BodySource = "body";

    public static ApiProblemException NoTenant(string id) => ApiProblemException.NotFound($"tenant {id} does not exist");

    public static ApiProblemException NoQueue(QueueId id) => ApiProblemException.NotFound($"queue {id} does not exist");

    public static ApiProblemException NoOperator(string id) => ApiProblemException.NotFound($"operator {id} does not exist");

    public static ApiProblemException NoCall(string id) => ApiProblemException.NotFound($"call {id} does not exist");

    public static TenantConfig Tenant(ApiCaller caller, ProviderConfig config, string id)
    {
        var tenant = new TenantId(id);
        if (!caller.Sees(tenant)) throw NoTenant(id);
        return config.FindTenant(tenant) ?? throw NoTenant(id);
    }

    /// <summary>The tenant id, after checking the caller may see it (it need not exist: the routing core answers that).</summary>
    public static TenantId VisibleTenant(ApiCaller caller, string id)
    {
        var tenant = new TenantId(id);
        return caller.Sees(tenant) ? tenant : throw NoTenant(id);
    }

    public static QueueConfig Queue(ApiCaller caller, ProviderConfig config, string tenant, string queue)
    {
        var t = Tenant(caller, config, tenant);
        var id = QueueId.Of(t.Id, queue);
        return t.Queues.FirstOrDefault(q => q.Id == id) ?? throw NoQueue(id);
    }

    public static OperatorConfig Operator(ApiCaller caller, ProviderConfig config, string id)
    {
        var op = config.FindOperator(new OperatorId(id));
        return op is not null && caller.Sees(op) ? op : throw NoOperator(id);
    }

    public static void RequireAdmin(ApiCaller caller, string what)
    {
        if (!caller.IsAdmin) throw ApiProblemException.Forbidden($"only the provider's admin key can {what}");
    }

    /// <summary>A tenant as the file writes it; the API key only for the admin.</summary>
    public static IDictionary<string, object?> TenantTree(TenantConfig tenant, ApiCaller caller)
    {
        var tree = ConfigWriter.Tenant(tenant);
        if (!caller.IsAdmin) tree.Remove("apiKey");
        return tree;
    }

    /// <summary>An operator as the file writes it; the SIP password only for the admin.</summary>
    public static IDictionary<string, object?> OperatorTree(OperatorConfig op, ApiCaller caller) =>
        ConfigWriter.Operator(op, includePassword: caller.IsAdmin);

    public static IDictionary<string, object?> QueueTree(QueueConfig queue) => ConfigWriter.Queue(queue);

    /// <summary>Documents a configuration body: the shape of the file's entry, as JSON or YAML.</summary>
    public static RouteHandlerBuilder AcceptsConfig(this RouteHandlerBuilder b) =>
        b.DocumentBody<Dictionary<string, object?>>(required: true, "application/json", "application/yaml")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    /// <summary>The answers every /api endpoint may give.</summary>
    public static RouteHandlerBuilder CommonProblems(this RouteHandlerBuilder b) =>
        b.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
