using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Api.Endpoints;

/// <summary>/api/tenants/{tenant}/queues: a tenant's queues in the configuration file's shape.</summary>
internal static class QueueEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/tenants/{tenant}/queues").WithTags("Queues");
        g.MapGet("/", List).WithName("ListQueues").Produces<List<Dictionary<string, object?>>>().CommonProblems();
        g.MapPost("/", Create).WithName("CreateQueue").AcceptsConfig()
            .Produces<Dictionary<string, object?>>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapGet("/{queue}", Get).WithName("GetQueue").Produces<Dictionary<string, object?>>().CommonProblems();
        g.MapPut("/{queue}", Put).WithName("PutQueue").AcceptsConfig()
            .Produces<Dictionary<string, object?>>().Produces<Dictionary<string, object?>>(StatusCodes.Status201Created).CommonProblems();
        g.MapDelete("/{queue}", Delete).WithName("DeleteQueue").Produces(StatusCodes.Status204NoContent).CommonProblems();
    }

    private static IResult List(HttpContext http, IRoutingService routing, string tenant) =>
        Results.Ok(Access.Tenant(ApiCaller.Of(http), routing.Config, tenant).Queues.Select(Access.QueueTree).ToList());

    private static IResult Get(HttpContext http, IRoutingService routing, string tenant, string queue) =>
        Results.Ok(Access.QueueTree(Access.Queue(ApiCaller.Of(http), routing.Config, tenant, queue)));

    private static async Task<IResult> Create(HttpContext http, IRoutingService routing, string tenant, CancellationToken ct)
    {
        var current = routing.Config;
        var t = Access.Tenant(ApiCaller.Of(http), current, tenant);
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var parsed = ConfigLoader.ParseQueue(t.Id, text, Access.BodySource, current);
        if (current.FindQueue(parsed.Id) is not null)
            throw ApiProblemException.Conflict($"queue {parsed.Id} exists already (PUT /api/tenants/{tenant}/queues/{parsed.Id.Name} changes it)");
        var after = await routing.ChangeConfig(new ConfigChange.UpsertQueue(parsed), ct);
        return Results.Created($"/api/tenants/{Uri.EscapeDataString(tenant)}/queues/{Uri.EscapeDataString(parsed.Id.Name)}",
            Access.QueueTree(after.FindQueue(parsed.Id) ?? parsed));
    }

    private static async Task<IResult> Put(HttpContext http, IRoutingService routing, string tenant, string queue, CancellationToken ct)
    {
        var current = routing.Config;
        var t = Access.Tenant(ApiCaller.Of(http), current, tenant);
        var id = QueueId.Of(t.Id, queue);
        var existed = current.FindQueue(id) is not null;
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var parsed = ConfigLoader.ParseQueue(t.Id, text, Access.BodySource, current);
        if (parsed.Id != id) throw ApiProblemException.BadRequest($"the body's id '{parsed.Id.Name}' differs from the URL's '{queue}'");
        var after = await routing.ChangeConfig(new ConfigChange.UpsertQueue(parsed), ct);
        var tree = Access.QueueTree(after.FindQueue(id) ?? parsed);
        return existed ? Results.Ok(tree) : Results.Created($"/api/tenants/{Uri.EscapeDataString(tenant)}/queues/{Uri.EscapeDataString(queue)}", tree);
    }

    private static async Task<IResult> Delete(HttpContext http, IRoutingService routing, string tenant, string queue, CancellationToken ct)
    {
        var q = Access.Queue(ApiCaller.Of(http), routing.Config, tenant, queue);
        await routing.ChangeConfig(new ConfigChange.DeleteQueue(q.Id), ct);
        return Results.NoContent();
    }
}
