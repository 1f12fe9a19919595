using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Api.Endpoints;

/// <summary>/api/tenants: tenants in the configuration file's shape. Create and delete need the admin key.</summary>
internal static class TenantEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/tenants").WithTags("Tenants");
        g.MapGet("/", List).WithName("ListTenants").Produces<List<Dictionary<string, object?>>>().CommonProblems();
        g.MapPost("/", Create).WithName("CreateTenant").AcceptsConfig()
            .Produces<Dictionary<string, object?>>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapGet("/{tenant}", Get).WithName("GetTenant").Produces<Dictionary<string, object?>>().CommonProblems();
        g.MapPut("/{tenant}", Put).WithName("PutTenant").AcceptsConfig()
            .Produces<Dictionary<string, object?>>().Produces<Dictionary<string, object?>>(StatusCodes.Status201Created).CommonProblems();
        g.MapDelete("/{tenant}", Delete).WithName("DeleteTenant").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).CommonProblems();
    }

    private static IResult List(HttpContext http, IRoutingService routing)
    {
        var caller = ApiCaller.Of(http);
        return Results.Ok(routing.Config.Tenants.Where(t => caller.Sees(t.Id)).Select(t => Access.TenantTree(t, caller)).ToList());
    }

    private static IResult Get(HttpContext http, IRoutingService routing, string tenant)
    {
        var caller = ApiCaller.Of(http);
        return Results.Ok(Access.TenantTree(Access.Tenant(caller, routing.Config, tenant), caller));
    }

    private static async Task<IResult> Create(HttpContext http, IRoutingService routing, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        Access.RequireAdmin(caller, "create tenants");
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var current = routing.Config;
        var parsed = ConfigLoader.ParseTenant(text, Access.BodySource, current);
        if (current.FindTenant(parsed.Id) is not null)
            throw ApiProblemException.Conflict($"tenant {parsed.Id} exists already (PUT /api/tenants/{parsed.Id} changes it)");
        var after = await routing.ChangeConfig(new ConfigChange.UpsertTenant(parsed), ct);
        return Results.Created($"/api/tenants/{Uri.EscapeDataString(parsed.Id.Value)}", Access.TenantTree(after.FindTenant(parsed.Id) ?? parsed, caller));
    }

    private static async Task<IResult> Put(HttpContext http, IRoutingService routing, string tenant, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var current = routing.Config;
        var existing = caller.IsAdmin ? current.FindTenant(new TenantId(tenant)) : Access.Tenant(caller, current, tenant);
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var parsed = ConfigLoader.ParseTenant(text, Access.BodySource, current);
        if (parsed.Id.Value != tenant)
            throw ApiProblemException.BadRequest($"the body's id '{parsed.Id}' differs from the URL's '{tenant}'");
        // A tenant never reads its own key back, so a body without one keeps it.
        if (!caller.IsAdmin && parsed.ApiKey is null) parsed = parsed with { ApiKey = existing?.ApiKey };
        var after = await routing.ChangeConfig(new ConfigChange.UpsertTenant(parsed), ct);
        var tree = Access.TenantTree(after.FindTenant(parsed.Id) ?? parsed, caller);
        return existing is null ? Results.Created($"/api/tenants/{Uri.EscapeDataString(tenant)}", tree) : Results.Ok(tree);
    }

    private static async Task<IResult> Delete(HttpContext http, IRoutingService routing, string tenant, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        Access.Tenant(caller, routing.Config, tenant);
        Access.RequireAdmin(caller, "delete tenants");
        await routing.ChangeConfig(new ConfigChange.DeleteTenant(new TenantId(tenant)), ct);
        return Results.NoContent();
    }
}
